// Progress inside a window (issue 16 "Must show"): one window of 20,000
// audit events at a low rate through the whole local flow (controller,
// Broker routing by knative/triggers.yaml, window function, aggregator,
// nats-server and the sink into audit.activities). While the window runs,
// its window.progress reports move processedEvents in the job's status at
// least every 10 s; its result then sets the counts to exactly the window's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActivityPolicy } from '../shared/api/activity-policy.js';
import type { ReindexJob } from '../shared/api/reindex-job.js';
import { countActivities } from '../shared/clickhouse/count-activities.js';
import { createClickHouseClient } from '../shared/clickhouse/create-clickhouse-client.js';
import { DEFAULT_TABLES } from '../shared/clickhouse/source-tables.js';
import { silentLogger } from '../shared/log.js';
import { runMigrations } from '../migrations/run-migrations.js';
import { startLocalStack } from '../local/local-stack.js';
import { runLocalJob } from '../local/run-local-job.js';
import { deploymentUpdate } from './helpers/audit-events.js';

const EVENTS = 20_000;
// 20,000 events at 1,000/s: about 20 s in one window (batchSize × 40 as
// the window target). The reader pages up to 10,000 rows; the window
// evaluates and counts them 500 at a time as the rate admits them. Reports
// every 3 s rather than the default 5: on a loaded 2-core machine one lost
// report (2 s timeout) or one late status write must not read as a stall.
const CONFIG = { batchSize: 500, rateLimit: 1_000, parallelism: 1 };
const WINDOW_BATCHES = 40;
const PROGRESS_INTERVAL_MS = 3_000;
const MAX_GAP_MS = 10_000;

const policy: ActivityPolicy = {
  apiVersion: 'activity.miloapis.com/v1alpha1',
  kind: 'ActivityPolicy',
  metadata: { name: 'deployments' },
  spec: {
    resource: { apiGroup: 'apps', kind: 'Deployment' },
    auditRules: [{ name: 'updated', match: "audit.verb == 'update'", summary: '{{ actor }} updated deployment {{ audit.objectRef.name }}' }],
  },
};

test('one window of 20,000 events at a low rate moves processedEvents in status at least every 10 s, and ends with exactly its counts', { timeout: 150_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'reindex-progress-'));
  const clickhouse = createClickHouseClient({ dataDir: join(dir, 'chdb') });
  t.after(async () => {
    await clickhouse.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await runMigrations(clickhouse);
  // Whole seconds, an hour ago: one row every 150 ms over 50 minutes.
  const start = Math.floor((Date.now() - 60 * 60_000) / 1000) * 1000;
  const rows = Array.from({ length: EVENTS }, (_, i) => ({ event_json: JSON.stringify(deploymentUpdate(`0000${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`.slice(-36), new Date(start + i * 150).toISOString(), `web-${i % 13}`)) }));
  await clickhouse.insert({ table: DEFAULT_TABLES.auditLogs, values: rows, format: 'JSONEachRow' });
  const range = { startTime: new Date(start).toISOString(), endTime: new Date(start + EVENTS * 150).toISOString() };

  const stack = await startLocalStack({ clickhouse, tables: DEFAULT_TABLES, log: silentLogger, statusPage: false, windowBatches: WINDOW_BATCHES, progressIntervalMs: PROGRESS_INTERVAL_MS });
  t.after(() => stack.close());
  const seen: { at: number; job: ReindexJob }[] = [];
  const job = await runLocalJob(stack, {
    name: 'slow-window',
    spec: { timeRange: range, config: CONFIG },
    policies: [policy],
    onProgress: (j) => seen.push({ at: Date.now(), job: structuredClone(j) }),
    pollMs: 250,
  });

  const status = job.status!;
  assert.equal(status.phase, 'Succeeded', status.message);
  // One audit window holds every row; the planner gives each source a window, so Events get an empty one.
  assert.equal(status.windows!.bySource!.audit.total, 1, 'one window of audit logs');
  assert.equal(status.progress!.totalEvents, EVENTS);
  // The window's own counts, exactly: every row an update the policy turns into one activity.
  const stored = await countActivities(clickhouse, DEFAULT_TABLES, { from: range.startTime, to: range.endTime });
  assert.deepEqual(
    [status.progress!.processedEvents, status.progress!.activitiesGenerated, status.progress!.errors],
    [EVENTS, EVENTS, 0],
  );
  assert.equal(stored, EVENTS);
  assert.equal(status.progress!.inFlight, undefined, 'nothing left in flight');
  assert.equal(status.progress!.percent, 100);

  // While the window ran (from its first report until its result),
  // processedEvents rose at least every 10 s, never down and never past the
  // window's count. (Before the first report: planning, emission, the first
  // page; on this loaded machine that alone can take several seconds.)
  const running = seen.filter((s) => s.job.status?.phase === 'Running');
  const startedAt = Date.parse(status.startedAt!);
  const finished = seen.find((s) => s.job.status?.phase === 'Succeeded')!.at;
  const rises: number[] = [];
  let last = 0;
  for (const { at, job: j } of running) {
    const processed = j.status!.progress!.processedEvents;
    assert.ok(processed >= last && processed <= EVENTS, `processedEvents ${processed} after ${last}`);
    if (processed > last) rises.push(at);
    last = processed;
  }
  const midWindow = running.filter((s) => s.job.status!.progress!.processedEvents > 0 && s.job.status!.windows!.completed < s.job.status!.windows!.total);
  assert.ok(midWindow.length > 0 && rises.length >= 3, `processedEvents rose ${rises.length} times inside the window`);
  rises.push(finished);
  const gaps = rises.slice(1).map((at, i) => at - rises[i]!);
  t.diagnostic(`job ran ${finished - startedAt} ms, first report after ${rises[0]! - startedAt} ms; then processedEvents rose after gaps of ${gaps.join(', ')} ms`);
  assert.ok(Math.max(...gaps) <= MAX_GAP_MS, `gaps ${gaps.join(', ')} ms, each at most ${MAX_GAP_MS} ms`);
  // The rate is the recent one, measured while it ran.
  const rates = midWindow.map((s) => s.job.status!.eventsPerSecond ?? 0).filter((r) => r > 0);
  assert.ok(rates.length > 0 && rates.every((r) => r <= CONFIG.rateLimit * 1.5), `rates ${rates.join(', ')}`);
});
