import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveTime } from './relative-time.js';

const now = new Date('2024-03-31T12:34:56.789Z');

test('now resolves to the given instant', () => {
  assert.equal(resolveTime('now', now).toISOString(), '2024-03-31T12:34:56.789Z');
});

test('seconds, minutes and hours are subtracted as durations', () => {
  assert.equal(resolveTime('now-90s', now).toISOString(), '2024-03-31T12:33:26.789Z');
  assert.equal(resolveTime('now-15m', now).toISOString(), '2024-03-31T12:19:56.789Z');
  assert.equal(resolveTime('now-2h', now).toISOString(), '2024-03-31T10:34:56.789Z');
});

test('days and weeks are calendar days in UTC, across month ends', () => {
  assert.equal(resolveTime('now-7d', now).toISOString(), '2024-03-24T12:34:56.789Z');
  assert.equal(resolveTime('now-31d', now).toISOString(), '2024-02-29T12:34:56.789Z');
  assert.equal(resolveTime('now-1w', now).toISOString(), '2024-03-24T12:34:56.789Z');
  assert.equal(resolveTime('now-0d', now).toISOString(), now.toISOString());
});

test('RFC3339 with offsets and fractions is accepted', () => {
  assert.equal(resolveTime('2024-05-01T02:00:00+02:00', now).toISOString(), '2024-05-01T00:00:00.000Z');
  assert.equal(resolveTime('2024-05-01T00:00:00.123456789Z', now).toISOString(), '2024-05-01T00:00:00.123Z');
});

test('anything else throws an Error naming what is accepted', () => {
  for (const bad of ['yesterday', 'now-', 'now-5y', 'now+5m', 'now-1.5h', '2024-05-01', '2024-02-30T00:00:00Z', '2024-05-01T25:00:00Z', '']) {
    assert.throws(() => resolveTime(bad, now), /RFC3339/, bad);
  }
});
