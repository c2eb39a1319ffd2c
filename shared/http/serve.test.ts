import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { Hono } from 'hono';
import { serveApp } from './serve.js';

function slowApp(ms: number): Hono {
  const app = new Hono();
  app.get('/', (c) => c.text('hello'));
  app.get('/slow', async (c) => {
    await delay(ms);
    return c.text('done');
  });
  return app;
}

test('serves on a free port of 127.0.0.1 and reports its URL', async (t) => {
  const served = await serveApp(slowApp(0));
  t.after(() => served.close(0));
  assert.ok(served.port > 0);
  assert.equal(served.url, `http://127.0.0.1:${served.port}`);
  assert.equal(await (await fetch(served.url)).text(), 'hello');
});

test('a wildcard address is reported as 127.0.0.1', async (t) => {
  const served = await serveApp(slowApp(0), 0, '0.0.0.0');
  t.after(() => served.close(0));
  assert.equal(served.url, `http://127.0.0.1:${served.port}`);
  assert.equal((await fetch(served.url)).status, 200);
});

test('close waits for a request in progress within the grace, then stops taking connections', async () => {
  const served = await serveApp(slowApp(300));
  const answer = fetch(`${served.url}/slow`).then((r) => r.text());
  await delay(50);
  await served.close(5_000);
  assert.equal(await answer, 'done');
  await assert.rejects(fetch(served.url));
});

test('close drops a request still running when the grace runs out', async () => {
  const served = await serveApp(slowApp(3_000));
  const answer = fetch(`${served.url}/slow`);
  await delay(50);
  const started = Date.now();
  await served.close(100);
  assert.ok(Date.now() - started < 2_000, 'did not wait for the slow request');
  await assert.rejects(answer);
});

test('a port in use is an error, not a hang', async (t) => {
  const first = await serveApp(slowApp(0));
  t.after(() => first.close(0));
  await assert.rejects(serveApp(slowApp(0), first.port), /EADDRINUSE/);
});
