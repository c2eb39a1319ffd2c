import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import { InvalidEventError } from '../errors/invalid-event-error.js';
import { UnavailableError } from '../errors/unavailable-error.js';
import { silentLogger } from '../log.js';
import { errorResponse } from './error-response.js';
import { serveApp } from './serve.js';

test('answers an expected error with its status and message, an unexpected one with a bare 500, telling the hook each status', async (t) => {
  const seen: number[] = [];
  const app = new Hono();
  app.post('/invalid', () => {
    throw new InvalidEventError('window.index: too small');
  });
  app.post('/unavailable', () => {
    throw new UnavailableError('ClickHouse did not answer');
  });
  app.post('/bug', () => {
    throw new TypeError('x is undefined');
  });
  app.onError((err, c) => errorResponse(err, c, silentLogger, (status) => seen.push(status)));
  const served = await serveApp(app);
  t.after(() => served.close(0));

  const answers = [];
  for (const path of ['/invalid', '/unavailable', '/bug']) {
    const res = await fetch(`${served.url}${path}`, { method: 'POST' });
    answers.push([res.status, await res.json()]);
  }
  assert.deepEqual(answers, [
    [400, { error: 'window.index: too small' }],
    [503, { error: 'ClickHouse did not answer' }],
    [500, { error: 'internal error' }],
  ]);
  assert.deepEqual(seen, [400, 503, 500]);
});
