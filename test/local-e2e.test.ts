// The whole local flow end to end (issue 6 "Must show", DESIGN.md §6): demo
// data in embedded ClickHouse, the local stack (Kubernetes API stand-in,
// controller, broker, window function, aggregator, activity sink) with a
// real nats-server, ReindexJobs applied as `kubectl apply` would. Expected
// activities come from the policy engine over the same inputs, read back
// from the source tables: what `reindex preview` prints for them.
//
// One ClickHouse data directory for the whole file (chDB binds one per
// process); the tests run in order and build on the first job's results.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { ClickHouseClient } from '@clickhouse/client';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { CloudEvent, type CloudEventV1 } from 'cloudevents';
import { jetstreamManager } from '@nats-io/jetstream';
import type { Activity } from '../shared/api/activity.js';
import { GROUP, REINDEXJOB_PLURAL, VERSION, type ReindexJob, type ReindexJobSpec } from '../shared/api/reindex-job.js';
import { countActivities } from '../shared/clickhouse/count-activities.js';
import { createClickHouseClient } from '../shared/clickhouse/create-clickhouse-client.js';
import { readStoredActivities } from '../shared/clickhouse/read-stored-activities.js';
import { readWindowPages } from '../shared/clickhouse/read-window.js';
import { DEFAULT_TABLES, type SourceTables } from '../shared/clickhouse/source-tables.js';
import { sourceTimeSpan } from '../shared/clickhouse/source-time-span.js';
import { TABLE, tableParams } from '../shared/clickhouse/table-params.js';
import { toClickHouseTime } from '../shared/clickhouse/clickhouse-time.js';
import type { Source } from '../shared/contracts/window-requested.js';
import { demoPolicies } from '../shared/demo/demo-policies.js';
import { loadDemoData } from '../shared/demo/load-demo-data.js';
import { silentLogger } from '../shared/log.js';
import { DEFAULT_STREAM } from '../shared/nats/stream-config.js';
import { compilePolicies } from '../shared/policy/policy-engine.js';
import { runMigrations } from '../migrations/run-migrations.js';
import { LOCAL_NAMESPACE, startLocalStack, type LocalStack } from '../local/local-stack.js';
import { SIGNATURE_EXTENSION } from '../shared/signing/event-signature.js';
import { cloudEventPost, requestedEvent, TEST_SIGNING_KEY, windowRequest } from './window-function-fixtures.js';
import { runLocalJob } from '../local/run-local-job.js';

const EVENTS = 20_000;
const SOURCES: Source[] = ['audit', 'event'];
// The manifests' backoff is PT2S doubling, 6 retries (about two minutes);
// scaled down it is 40 ms doubling, about 2.5 s in all: longer than the
// window function stays down below, so retries must carry the job through.
const RETRY_DELAY_SCALE = 0.02;
// Stored activities are read back over everything: the table only holds what these tests wrote.
const EVERYTHING = { from: '2000-01-01T00:00:00.000Z', to: '2100-01-01T00:00:00.000Z' };

let dir: string;
let clickhouse: ClickHouseClient;
let stack: LocalStack | undefined;
let range: { startTime: string; endTime: string };
/** origin id → the activity the policy engine makes of that input. */
const expected = new Map<string, Activity>();
/** origin id → its input row's timestamp (ms), to know which activities a part of the range makes. */
const rowTimes = new Map<string, number>();
let expectedErrors = 0;
let firstRun: ReindexJob;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'reindex-local-e2e-'));
  clickhouse = createClickHouseClient({ dataDir: join(dir, 'chdb') });
  await runMigrations(clickhouse);
  // Recent data: a job's start may be no older than the 60-day retention.
  await loadDemoData(clickhouse, DEFAULT_TABLES, { events: EVENTS, days: 1, now: new Date(), seed: 11 });
  const span = await sourceTimeSpan(clickhouse, DEFAULT_TABLES);
  assert.ok(span, 'demo data loaded');
  assert.equal(span.rows, EVENTS);
  // As `reindex demo` does: the whole stored span, end exclusive.
  range = { startTime: span.first, endTime: new Date(Date.parse(span.last) + 1).toISOString() };
  await computeExpected();
  // A known key, so a test can forge a window with a real signature over other data.
  stack = await startLocalStack({ clickhouse, tables: DEFAULT_TABLES, log: silentLogger, retryDelayScale: RETRY_DELAY_SCALE, statusPage: false, signingKey: TEST_SIGNING_KEY });
});

after(async () => {
  await stack?.close();
  await clickhouse?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Every stored input, evaluated by the engine `reindex preview` uses. */
async function computeExpected(): Promise<void> {
  const engine = compilePolicies(demoPolicies);
  for (const source of SOURCES) {
    const window = { source, from: range.startTime, to: range.endTime };
    for await (const page of readWindowPages(clickhouse, DEFAULT_TABLES, window)) {
      for (const row of page) {
        if ('error' in row) {
          expectedErrors++;
          continue;
        }
        const outcome = engine.evaluate(source, row.event);
        expectedErrors += outcome.errors.length;
        if (outcome.outcome === 'activity') {
          assert.ok(!expected.has(outcome.originId), `origin ${outcome.originId} appears once`);
          // As it comes back from the JSON column: undefined fields dropped.
          expected.set(outcome.originId, JSON.parse(JSON.stringify(outcome.activity)) as Activity);
          rowTimes.set(outcome.originId, Date.parse(row.timestamp));
        }
      }
    }
  }
}

type TimeRange = { startTime: string; endTime: string };

function spec(config: ReindexJobSpec['config'], timeRange: TimeRange = range): ReindexJobSpec {
  return { timeRange: { ...timeRange }, config: { rateLimit: 1_000_000, ...config } };
}

/**
 * The first half of the data, ending on a whole second: activity timestamps
 * are their row's time truncated to the second, so the activities of the
 * rows in it are exactly those stored in it.
 */
function firstHalf(): TimeRange {
  const start = Date.parse(range.startTime);
  const mid = Math.ceil((start + Date.parse(range.endTime)) / 2 / 1000) * 1000;
  return { startTime: range.startTime, endTime: new Date(mid).toISOString() };
}

/** The activities the policy engine makes of the rows in a range. */
function expectedIn(r: TimeRange): Map<string, Activity> {
  const from = Date.parse(r.startTime);
  const to = Date.parse(r.endTime);
  return new Map([...expected].filter(([id]) => rowTimes.get(id)! >= from && rowTimes.get(id)! < to));
}

/** The CLI's count range: activity timestamps are whole seconds, so from the second the range starts in. */
function countRange(r: TimeRange = range): { from: string; to: string } {
  return { from: new Date(Math.floor(Date.parse(r.startTime) / 1000) * 1000).toISOString(), to: r.endTime };
}

async function storedActivities(tables: SourceTables = DEFAULT_TABLES): Promise<Map<string, Activity>> {
  const byOrigin = new Map<string, Activity>();
  for (const originType of SOURCES) {
    for (const a of await readStoredActivities(clickhouse, tables, { ...EVERYTHING, originType })) {
      assert.ok(!byOrigin.has(a.spec.origin.id), `origin ${a.spec.origin.id} is stored once under FINAL`);
      byOrigin.set(a.spec.origin.id, a);
    }
  }
  return byOrigin;
}

/** Sorted `origin_id summary` lines of the table under FINAL: what a re-run must leave unchanged. */
async function finalRows(table = DEFAULT_TABLES.activities): Promise<string[]> {
  const rs = await clickhouse.query({
    query: `SELECT origin_id, summary FROM ${TABLE} FINAL ORDER BY origin_id`,
    query_params: tableParams(table),
    format: 'JSONCompactEachRow',
  });
  return (await rs.json<[string, string]>()).map(([id, summary]) => `${id} ${summary}`);
}

/**
 * Without FINAL: distinct origins among all rows ever inserted in a range,
 * and the newest insert (background merges may fold rows at any time, so the
 * raw row count proves nothing; the newest reindex_version moves only when
 * something is written).
 */
async function rawState(r: TimeRange = range): Promise<{ origins: number; newest: string }> {
  const { from, to } = countRange(r);
  const rs = await clickhouse.query({
    query: `SELECT uniqExact(origin_id) AS origins, toString(max(reindex_version)) AS newest FROM ${TABLE}
            WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}`,
    query_params: { ...tableParams(DEFAULT_TABLES.activities), from: toClickHouseTime(from), to: toClickHouseTime(to) },
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<{ origins: string | number; newest: string }>();
  return { origins: Number(row.origins), newest: row.newest };
}

async function streamMessages(s: LocalStack): Promise<number> {
  assert.ok(s.nc, 'the stack publishes to NATS');
  const info = await (await jetstreamManager(s.nc)).streams.info(DEFAULT_STREAM);
  return info.state.messages;
}

function assertSucceeded(job: ReindexJob, events = EVENTS): void {
  assert.equal(job.status?.phase, 'Succeeded', job.status?.message);
  assert.equal(job.status?.windows?.failed, 0);
  assert.equal(job.status?.windows?.completed, job.status?.windows?.total);
  assert.equal(job.status?.progress?.processedEvents, events);
  assert.equal(job.status?.progress?.totalEvents, events);
}

/** Source rows in a range, both tables. */
async function rowsIn(r: TimeRange): Promise<number> {
  let n = 0;
  for (const table of [DEFAULT_TABLES.auditLogs, DEFAULT_TABLES.k8sEvents]) {
    const rs = await clickhouse.query({
      query: `SELECT count() AS n FROM ${TABLE} WHERE timestamp >= {from:DateTime64(6, 'UTC')} AND timestamp < {to:DateTime64(6, 'UTC')}`,
      query_params: { ...tableParams(table), from: toClickHouseTime(r.startTime), to: toClickHouseTime(r.endTime) },
      format: 'JSONEachRow',
    });
    n += Number((await rs.json<{ n: string | number }>())[0]!.n);
  }
  return n;
}

test('a job over 20,000 demo events succeeds and stores exactly what the policy engine gives for each input', async () => {
  assert.ok(stack);
  assert.equal(stack.destination.kind, 'nats');
  firstRun = await runLocalJob(stack, { name: 'e2e-first', spec: spec({ batchSize: 500, parallelism: 4 }), policies: demoPolicies });
  assertSucceeded(firstRun);
  const progress = firstRun.status!.progress!;
  assert.ok(expected.size > EVENTS / 2, `the demo policies turn most inputs into activities (${expected.size})`);
  assert.equal(progress.activitiesGenerated, expected.size);
  assert.equal(progress.errors, expectedErrors);
  assert.equal(await countActivities(clickhouse, DEFAULT_TABLES, countRange()), progress.activitiesGenerated);

  const stored = await storedActivities();
  assert.equal(stored.size, expected.size);
  for (const [originId, activity] of expected) {
    assert.deepEqual(stored.get(originId), activity, `stored activity of origin ${originId}`);
  }
});

test('running the same job again leaves audit.activities FINAL with the same rows', async () => {
  assert.ok(stack && firstRun, 'needs the first run');
  const before = await finalRows();
  const messagesBefore = await streamMessages(stack);
  const insertedBefore = stack.sink!.inserted;
  const job = await runLocalJob(stack, { name: 'e2e-again', spec: spec({ batchSize: 500, parallelism: 4 }), policies: demoPolicies });
  assertSucceeded(job);
  assert.equal(job.status?.progress?.activitiesGenerated, firstRun.status?.progress?.activitiesGenerated);
  // The activities really were published and inserted again (a new job uid makes new Msg-Ids), and FINAL folds them.
  assert.equal((await streamMessages(stack)) - messagesBefore, expected.size);
  assert.equal(stack.sink!.inserted - insertedBefore, expected.size);
  const after = await finalRows();
  assert.equal(after.length, before.length);
  assert.deepEqual(after, before);
  assert.equal(await countActivities(clickhouse, DEFAULT_TABLES, countRange()), expected.size);
});

test('forged windows posted to the Broker (no signature, another key, tampered data) change nothing in audit.activities, the stream or the job', async () => {
  assert.ok(stack && firstRun, 'needs the first run');
  const jobs = stack.kubeConfig.makeApiClient(CustomObjectsApi);
  const jobStatus = async () => ((await jobs.getClusterCustomObject({ group: GROUP, version: VERSION, plural: REINDEXJOB_PLURAL, name: 'e2e-first' })) as ReindexJob).status;
  const before = { final: await finalRows(), rows: await allRows(), messages: await streamMessages(stack), job: await jobStatus(), failed: stack.broker.stats.failed };
  // What any pod could send: the first job's identity and range, its own CEL
  // (every audit row becomes a "pwned" activity, newer than the stored one).
  const data = windowRequest({
    job: { name: 'e2e-first', uid: firstRun.metadata.uid! },
    window: { index: 0, source: 'audit', from: EVERYTHING.from, to: EVERYTHING.to },
    policies: [{ metadata: { name: 'pwned' }, spec: { resource: { apiGroup: 'apps', kind: 'Deployment' }, auditRules: [{ name: 'all', match: 'true', summary: 'pwned' }] } }],
  });
  const legit = requestedEvent({ ...data, policies: demoPolicies });
  const { [SIGNATURE_EXTENSION]: _signature, ...unsigned } = requestedEvent(data) as unknown as Record<string, unknown>;
  const forgeries = [
    new CloudEvent<unknown>(unsigned as unknown as CloudEventV1<unknown>),
    requestedEvent(data, undefined, 'another-key-of-at-least-32-characters!'),
    legit.cloneWith({ data }),
  ];
  for (const event of forgeries) {
    const res: Response = await fetch(stack.broker.ingressUrl(LOCAL_NAMESPACE, 'activity-reindex'), cloudEventPost(event));
    assert.equal(res.status, 202, 'the Broker cannot tell; the window function must');
  }
  await stack.broker.idle();
  await stack.drainActivities();
  // Refused 401 by the window function, then again by the aggregator as a dead letter: dropped.
  assert.equal(stack.broker.stats.failed - before.failed, forgeries.length);
  assert.equal(await streamMessages(stack), before.messages);
  assert.equal(await allRows(), before.rows);
  assert.deepEqual(await finalRows(), before.final);
  assert.deepEqual(await jobStatus(), before.job);
});

/** Every row ever inserted, FINAL or not: a forged write would add some. */
async function allRows(): Promise<number> {
  const rs = await clickhouse.query({ query: `SELECT count() AS n FROM ${TABLE}`, query_params: tableParams(DEFAULT_TABLES.activities), format: 'JSONEachRow' });
  return Number((await rs.json<{ n: string }>())[0]!.n);
}

test('the window function killed mid-run: the broker retries and the job succeeds with exact counts and no duplicates', async () => {
  assert.ok(stack && firstRun, 'needs the first run');
  const s = stack;
  const half = firstHalf();
  const events = await rowsIn(half);
  const want = expectedIn(half);
  const messagesBefore = await streamMessages(s);
  const retriedBefore = s.broker.stats.retried;
  const deadLetteredBefore = s.broker.stats.deadLettered;
  const name = 'e2e-killed';
  // Small windows (about ten), two at a time: the job is still going when the function dies.
  const running = runLocalJob(s, { name, spec: spec({ batchSize: 100, parallelism: 2 }, half), policies: demoPolicies, pollMs: 50 });
  const status = () => (s.kube.getObject(GROUP, REINDEXJOB_PLURAL, name) as ReindexJob | undefined)?.status;
  const deadline = Date.now() + 60_000;
  while ((status()?.windows?.completed ?? 0) < 2) {
    assert.ok(Date.now() < deadline, 'two windows completed within a minute');
    await delay(10);
  }
  await s.stopWindowFunction();
  await assert.rejects(fetch(s.windowFunctionUrl), 'the window function\'s port stopped answering');
  const down = status()!;
  assert.ok(down.windows!.completed < down.windows!.total, `the function died before the job finished (${down.windows!.completed}/${down.windows!.total})`);
  // Long enough for deliveries to fail against the closed port, shorter than the retries last.
  const until = Date.now() + 5_000;
  while (s.broker.stats.retried === retriedBefore && Date.now() < until) await delay(10);
  assert.ok(s.broker.stats.retried > retriedBefore, 'deliveries to the dead function were retried');
  await delay(200);
  await s.startWindowFunction();

  const job = await running;
  assertSucceeded(job, events);
  assert.equal(s.broker.stats.deadLettered, deadLetteredBefore, 'no window ran out of retries');
  assert.equal(job.status?.progress?.activitiesGenerated, want.size);
  assert.equal(await countActivities(clickhouse, DEFAULT_TABLES, countRange(half)), want.size);
  // No stray rows: every row ever inserted in the range is of an expected origin.
  assert.equal((await rawState(half)).origins, want.size);
  // A re-run window republishes with the same Msg-Ids: the stream keeps one message per activity.
  assert.equal((await streamMessages(s)) - messagesBefore, want.size);
});

test('a dry run writes nothing and reports the same counts as the real run', async () => {
  assert.ok(stack && firstRun, 'needs the first run');
  const rowsBefore = await finalRows();
  const rawBefore = await rawState();
  const messagesBefore = await streamMessages(stack);
  const insertedBefore = stack.sink!.inserted;
  const job = await runLocalJob(stack, { name: 'e2e-dry', spec: spec({ batchSize: 500, parallelism: 4, dryRun: true }), policies: demoPolicies });
  assertSucceeded(job);
  assert.equal(job.status?.progress?.processedEvents, firstRun.status?.progress?.processedEvents);
  assert.equal(job.status?.progress?.activitiesGenerated, firstRun.status?.progress?.activitiesGenerated);
  assert.equal(job.status?.progress?.errors, firstRun.status?.progress?.errors);
  // Compared with what the real runs stored, nothing would change.
  const report = job.status?.dryRunReport;
  assert.ok(report, `a dry run reports what it would do: ${JSON.stringify(job.status)}`);
  assert.deepEqual(
    { wouldCreate: report.wouldCreate, wouldChange: report.wouldChange, unchanged: report.unchanged, wouldOrphan: report.wouldOrphan },
    { wouldCreate: 0, wouldChange: 0, unchanged: expected.size, wouldOrphan: 0 },
  );
  await stack.drainActivities();
  assert.equal(await streamMessages(stack), messagesBefore);
  assert.equal(stack.sink!.inserted, insertedBefore);
  assert.deepEqual(await rawState(), rawBefore);
  assert.deepEqual(await finalRows(), rowsBefore);
});

test('without NATS (no URL, nats-server not installed) activities go straight into ClickHouse and the counts match', async () => {
  await stack?.close();
  stack = undefined;
  const half = firstHalf();
  const want = expectedIn(half);
  // A table of its own, so what this run writes is counted apart from the runs above.
  const tables: SourceTables = { ...DEFAULT_TABLES, activities: 'audit.activities_direct' };
  await clickhouse.command({ query: `CREATE TABLE IF NOT EXISTS ${tables.activities} AS ${DEFAULT_TABLES.activities}` });
  const previous = process.env.NATS_SERVER_BIN;
  process.env.NATS_SERVER_BIN = '/nonexistent/nats-server';
  try {
    stack = await startLocalStack({ clickhouse, tables, log: silentLogger, retryDelayScale: RETRY_DELAY_SCALE, statusPage: false });
  } finally {
    if (previous === undefined) delete process.env.NATS_SERVER_BIN;
    else process.env.NATS_SERVER_BIN = previous;
  }
  assert.deepEqual(stack.destination, { kind: 'clickhouse' });
  assert.equal(stack.nc, undefined);
  const job = await runLocalJob(stack, { name: 'e2e-direct', spec: spec({ batchSize: 500, parallelism: 4 }, half), policies: demoPolicies });
  assertSucceeded(job, await rowsIn(half));
  assert.equal(job.status?.progress?.activitiesGenerated, want.size);
  assert.equal(await countActivities(clickhouse, tables, countRange(half)), want.size);
  const stored = await storedActivities(tables);
  assert.equal(stored.size, want.size);
  for (const [originId, activity] of want) {
    assert.deepEqual(stored.get(originId), activity, `stored activity of origin ${originId}`);
  }
});
