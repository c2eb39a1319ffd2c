import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WindowSpec } from '../contracts/window-requested.js';
import { chooseBucketSeconds, planWindows } from './plan-windows.js';

const from = '2026-03-01T00:00:00.000Z';
const to = '2026-03-01T01:00:00.000Z';
const at = (minute: number) => new Date(Date.parse(from) + minute * 60_000).toISOString();

function assertTiles(windows: WindowSpec[], source: 'audit' | 'event'): void {
  const own = windows.filter((w) => w.source === source);
  assert.equal(own[0].from, from);
  assert.equal(own[own.length - 1].to, to);
  for (let i = 1; i < own.length; i++) assert.equal(own[i].from, own[i - 1].to, `gap or overlap before window ${own[i].index}`);
  for (const w of own) assert.ok(Date.parse(w.from) < Date.parse(w.to), `window ${w.index} is empty`);
}

test('packs buckets into windows of about the target that tile the range exactly', () => {
  const audit = Array.from({ length: 60 }, (_, m) => ({ start: at(m), count: 100 }));
  const windows = planWindows({ from, to, bucketSeconds: 60, buckets: { audit, event: [] }, targetEvents: 1000 });
  const auditWindows = windows.filter((w) => w.source === 'audit');
  assert.equal(auditWindows.length, 6);
  assert.ok(auditWindows.every((w) => w.expectedEvents === 1000));
  assertTiles(windows, 'audit');
  assertTiles(windows, 'event');
});

test('puts audit windows first, then Event windows, indexed 0..n-1', () => {
  const buckets = { audit: [{ start: at(0), count: 5 }, { start: at(30), count: 5 }], event: [{ start: at(10), count: 5 }, { start: at(50), count: 5 }] };
  const windows = planWindows({ from, to, bucketSeconds: 60, buckets, targetEvents: 5 });
  assert.deepEqual(windows.map((w) => [w.index, w.source]), [[0, 'audit'], [1, 'audit'], [2, 'event'], [3, 'event']]);
  assert.deepEqual(windows.map((w) => [w.from, w.to]), [[from, at(30)], [at(30), to], [from, at(50)], [at(50), to]]);
});

test('gives a source without rows one empty window so the range is still covered', () => {
  const windows = planWindows({ from, to, bucketSeconds: 60, buckets: { audit: [], event: [] }, targetEvents: 100 });
  assert.deepEqual(windows, [
    { index: 0, source: 'audit', from, to, expectedEvents: 0 },
    { index: 1, source: 'event', from, to, expectedEvents: 0 },
  ]);
});

test('keeps a bucket larger than the target whole, in a window of its own', () => {
  const audit = [{ start: at(1), count: 10 }, { start: at(2), count: 5000 }, { start: at(3), count: 10 }];
  const windows = planWindows({ from, to, bucketSeconds: 60, buckets: { audit, event: [] }, targetEvents: 100 });
  assert.deepEqual(windows.filter((w) => w.source === 'audit').map((w) => w.expectedEvents), [10, 5000, 10]);
  assertTiles(windows, 'audit');
});

test('plans the same windows for the same counts, whatever order the buckets come in', () => {
  const audit = Array.from({ length: 60 }, (_, m) => ({ start: at(m), count: (m * 37) % 101 }));
  const a = planWindows({ from, to, bucketSeconds: 60, buckets: { audit, event: audit }, targetEvents: 300 });
  const b = planWindows({ from, to, bucketSeconds: 60, buckets: { audit: [...audit].reverse(), event: audit }, targetEvents: 300 });
  assert.deepEqual(a, b);
  assert.equal(a.filter((w) => w.source === 'audit').reduce((n, w) => n + w.expectedEvents, 0), audit.reduce((n, b2) => n + b2.count, 0));
});

test('rejects an empty or inverted range', () => {
  assert.throws(() => planWindows({ from: to, to: from, bucketSeconds: 60, buckets: { audit: [], event: [] }, targetEvents: 1 }), /from < to/);
});

test('chooses round bucket sizes giving at most about 2000 buckets', () => {
  assert.equal(chooseBucketSeconds(from, to), 2);
  assert.equal(chooseBucketSeconds('2026-03-01T00:00:00Z', '2026-03-01T00:00:10Z'), 1);
  assert.equal(chooseBucketSeconds('2026-01-01T00:00:00Z', '2026-03-02T00:00:00Z'), 3600);
  const span = (Date.parse('2026-03-02T00:00:00Z') - Date.parse('2026-01-01T00:00:00Z')) / 1000;
  assert.ok(span / chooseBucketSeconds('2026-01-01T00:00:00Z', '2026-03-02T00:00:00Z') <= 2000);
});
