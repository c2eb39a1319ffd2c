import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runMigrations } from '../migrations/run-migrations.js';
import { countBuckets } from '../shared/clickhouse/count-buckets.js';
import { createClickHouseClient } from '../shared/clickhouse/create-clickhouse-client.js';
import { chooseBucketSeconds, planWindows } from '../shared/clickhouse/plan-windows.js';
import { DEFAULT_TABLES } from '../shared/clickhouse/source-tables.js';
import { planJobWindows } from './plan-job-windows.js';
import { windowTargetEvents } from './window-target.js';

const client = createClickHouseClient({ dataDir: mkdtempSync(join(tmpdir(), 'reindex-plan-job-windows-')) });
// A 59-day range: hour buckets. One hour holds 20,000 audit rows, one second
// of another hour holds 2,000.
const range = { startTime: '2026-01-01T00:00:00.000Z', endTime: '2026-03-01T00:00:00.000Z' };
const DENSE_HOUR = Date.parse('2026-02-10T07:00:00.000Z');
const DENSE_ROWS = 20_000;
const BURST_SECOND = Date.parse('2026-02-11T09:30:05.000Z');
const BURST_ROWS = 2_000;
const SPARSE_ROWS = 500;

const auditRow = (id: string, ms: number) => ({
  event_json: JSON.stringify({
    kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID: id, stage: 'ResponseComplete', verb: 'update',
    requestURI: '/apis/apps/v1/namespaces/default/deployments/web', user: { username: 'alice' },
    objectRef: { resource: 'deployments', namespace: 'default', name: 'web', apiGroup: 'apps', apiVersion: 'v1' },
    requestReceivedTimestamp: new Date(ms).toISOString(), stageTimestamp: new Date(ms).toISOString(),
  }),
});

before(async () => {
  await runMigrations(client);
  const rows = [];
  for (let i = 0; i < DENSE_ROWS; i++) rows.push(auditRow(`dense-${i}`, DENSE_HOUR + Math.floor((i * 3_600_000) / DENSE_ROWS)));
  for (let i = 0; i < BURST_ROWS; i++) rows.push(auditRow(`burst-${i}`, BURST_SECOND + (i % 1000)));
  for (let i = 0; i < SPARSE_ROWS; i++) rows.push(auditRow(`sparse-${i}`, Date.parse(range.startTime) + i * 7_200_000));
  await client.insert({ table: DEFAULT_TABLES.auditLogs, values: rows, format: 'JSONEachRow' });
});
after(() => client.close());

// rateLimit 100 over parallelism 4: each window runs at 25 events/s; a 60 s budget is 1,500 events.
const settings = { batchSize: 1000, windowBatches: 10, rateLimit: 100, parallelism: 4, windowBudgetSeconds: 60 };
const share = settings.rateLimit / settings.parallelism;

test('a dense bucket is split so every window finishes inside the budget at its rate share', async () => {
  const target = windowTargetEvents(settings);
  assert.equal(target, 1_500);
  const windows = await planJobWindows({ clickhouse: client, tables: DEFAULT_TABLES }, range, target);
  const audit = windows.filter((w) => w.source === 'audit');
  assert.equal(audit.reduce((n, w) => n + w.expectedEvents, 0), DENSE_ROWS + BURST_ROWS + SPARSE_ROWS);
  const dense = audit.filter((w) => Date.parse(w.from) >= DENSE_HOUR && Date.parse(w.to) <= DENSE_HOUR + 3_600_000);
  assert.ok(dense.length >= DENSE_ROWS / target, `the dense hour is split into ${dense.length} windows`);
  const overBudget = audit.filter((w) => w.expectedEvents / share > settings.windowBudgetSeconds);
  // Only the burst second holds more than the target, and one second cannot be split.
  assert.deepEqual(overBudget.map((w) => [w.from, w.expectedEvents]), [[new Date(BURST_SECOND).toISOString(), BURST_ROWS]]);
  for (let i = 1; i < audit.length; i++) assert.equal(audit[i].from, audit[i - 1].to);
});

test('without refinement the dense hour would be one window far over the budget', async () => {
  const bucketSeconds = chooseBucketSeconds(range.startTime, range.endTime);
  const buckets = await countBuckets(client, DEFAULT_TABLES, 'audit', { from: range.startTime, to: range.endTime }, bucketSeconds);
  const windows = planWindows({ from: range.startTime, to: range.endTime, buckets: { audit: buckets, event: [] }, targetEvents: windowTargetEvents(settings) });
  assert.ok(windows.some((w) => w.expectedEvents / share > 10 * settings.windowBudgetSeconds));
});

test('the window target is the smaller of batchSize × windowBatches and the budget at the rate share, never under 100', () => {
  assert.equal(windowTargetEvents({ ...settings, windowBudgetSeconds: 300 }), 7_500);
  assert.equal(windowTargetEvents({ ...settings, rateLimit: 1_000_000, windowBudgetSeconds: 300 }), 10_000);
  assert.equal(windowTargetEvents({ ...settings, rateLimit: 10, parallelism: 256, windowBudgetSeconds: 300 }), 100);
});
