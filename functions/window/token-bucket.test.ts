import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTokenBucket } from './token-bucket.js';

function fakeClock() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    advance: (ms: number) => (now += ms),
    deps: { now: () => now, sleep: async (ms: number) => void (sleeps.push(ms), (now += ms)) },
  };
}

test('lets the first burst through and then sleeps so pages average the rate', async () => {
  const clock = fakeClock();
  const bucket = createTokenBucket(100, 100, clock.deps);
  await bucket.take(100);
  assert.deepEqual(clock.sleeps, []);
  await bucket.take(100);
  await bucket.take(100);
  assert.deepEqual(clock.sleeps, [1000, 1000]);
});

test('does not sleep when the work itself was slower than the rate', async () => {
  const clock = fakeClock();
  const bucket = createTokenBucket(1000, 500, clock.deps);
  await bucket.take(500);
  clock.advance(600);
  await bucket.take(500);
  assert.deepEqual(clock.sleeps, []);
});

test('does not bank idle time beyond one burst', async () => {
  const clock = fakeClock();
  const bucket = createTokenBucket(10, 10, clock.deps);
  clock.advance(60_000);
  await bucket.take(10);
  await bucket.take(10);
  assert.deepEqual(clock.sleeps, [1000]);
});
