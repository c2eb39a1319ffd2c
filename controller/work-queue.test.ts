import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createWorkQueue } from './work-queue.js';

test('runs a key once however often it is added while queued, and again if added while running', async () => {
  const runs: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((ok) => (release = ok));
  const queue = createWorkQueue(async (key) => {
    runs.push(key);
    if (runs.length === 1) await gate;
  });
  queue.add('a'); // starts running
  queue.add('a'); // while running: one more run afterwards
  queue.add('a');
  queue.add('b');
  await new Promise((ok) => setTimeout(ok, 10));
  assert.deepEqual(runs, ['a', 'b'], 'a is not run twice at once');
  release();
  await new Promise((ok) => setTimeout(ok, 10));
  assert.deepEqual(runs, ['a', 'b', 'a']);
  await queue.shutDown();
});

test('a delayed add keeps only the earliest time, and shutDown cancels it', async () => {
  const runs: number[] = [];
  const started = Date.now();
  const queue = createWorkQueue(async () => void runs.push(Date.now() - started));
  queue.addAfter('a', 500);
  queue.addAfter('a', 30);
  queue.addAfter('a', 400);
  await new Promise((ok) => setTimeout(ok, 200));
  assert.equal(runs.length, 1);
  assert.ok(runs[0] < 200);
  queue.addAfter('a', 50);
  await queue.shutDown();
  await new Promise((ok) => setTimeout(ok, 100));
  assert.equal(runs.length, 1);
});
