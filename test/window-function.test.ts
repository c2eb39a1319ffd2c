// The window function end to end on real engines: embedded ClickHouse
// (chDB) holding demo audit logs and Events, a real nats-server with the
// ACTIVITIES_REINDEX stream, the Hono app on a real socket, and the real
// policy engine. Expected activities come from `reindex preview` run as a
// separate process over the same inputs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ClickHouseClient } from '@clickhouse/client';
import { CloudEvent, HTTP, type CloudEventV1 } from 'cloudevents';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Activity } from '../shared/api/activity.js';
import { createClickHouseClient } from '../shared/clickhouse/create-clickhouse-client.js';
import { DEFAULT_TABLES } from '../shared/clickhouse/source-tables.js';
import { WindowCompleted } from '../shared/contracts/window-completed.js';
import type { Source } from '../shared/contracts/window-requested.js';
import { demoRows } from '../shared/demo/demo-rows.js';
import { loadDemoData } from '../shared/demo/load-demo-data.js';
import { silentLogger } from '../shared/log.js';
import { activitySubject } from '../shared/nats/activity-subject.js';
import { rowMsgId } from '../shared/nats/row-msg-id.js';
import { readWindowPages } from '../shared/clickhouse/read-window.js';
import { checkSignature, SIGNATURE_EXTENSION } from '../shared/signing/event-signature.js';
import { connectNats } from '../shared/nats/connect-nats.js';
import { ensureStream } from '../shared/nats/ensure-stream.js';
import { readStreamMessages, type StoredActivityMessage } from '../shared/nats/read-stream-messages.js';
import { DEFAULT_STREAM } from '../shared/nats/stream-config.js';
import { compilePolicies } from '../shared/policy/policy-engine.js';
import { runMigrations } from '../migrations/run-migrations.js';
import { startNatsServer, type NatsServerHandle } from '../local/nats-server.js';
import { buildWindowDeps } from '../functions/window/build-window-deps.js';
import { startWindowFunction, type RunningWindowFunction } from '../functions/window/start-window-function.js';
import { cloudEventPost, requestedEvent, TEST_POLICIES, TEST_SIGNING_KEY, windowRequest } from './window-function-fixtures.js';

const run = promisify(execFile);
const ROOT = new URL('..', import.meta.url).pathname;
const NOW = new Date('2025-03-01T00:00:00.000Z');
const EVENTS = 3000;
// Wide enough to hold every row, including a malformed one whose timestamp
// could not be read from its JSON.
const FROM = '2025-02-27T00:00:00.000Z';
const TO = '2100-01-01T00:00:00.000Z';

interface Expected {
  rows: number;
  malformed: number;
  errors: number;
  activities: Map<string, Activity>;
}

let dir: string;
let clickhouse: ClickHouseClient;
let nats: NatsServerHandle;
let nc: NatsConnection;
let jsm: JetStreamManager;
let fn: RunningWindowFunction;
/** `<source>/<row id>` → the row's stored time: with the job uid, what its activity's Msg-Id is made of. */
const rowTimes = new Map<string, string>();
const expected: Record<Source, Expected> = {
  audit: { rows: 0, malformed: 0, errors: 0, activities: new Map() },
  event: { rows: 0, malformed: 0, errors: 0, activities: new Map() },
};

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'reindex-window-fn-'));
  clickhouse = createClickHouseClient({ dataDir: join(dir, 'chdb') });
  await runMigrations(clickhouse);
  await loadDemoData(clickhouse, DEFAULT_TABLES, { events: EVENTS, days: 1, now: NOW, seed: 7 });

  nats = await startNatsServer({ storeDir: join(dir, 'nats') });
  nc = await connectNats(nats.url, { reconnectTimeWaitMs: 100 });
  jsm = await jetstreamManager(nc);
  await ensureStream(jsm);
  // Pages of 100 rows: a paced window then spans many pages, so NATS can be stopped inside one.
  const deps = await buildWindowDeps({ clickhouse, nc, ackTimeoutMs: 500, publishRetries: 2, log: silentLogger, signingKey: TEST_SIGNING_KEY, pageBounds: { maxRows: 100 } });
  fn = await startWindowFunction(deps);

  await computeExpected();
  for (const source of ['audit', 'event'] as const) {
    for await (const page of readWindowPages(clickhouse, DEFAULT_TABLES, { source, from: FROM, to: TO })) {
      for (const row of page) rowTimes.set(`${source}/${row.id}`, row.timestamp);
    }
  }
});

after(async () => {
  await fn?.close(100);
  await nc?.close();
  await nats?.destroy();
  await clickhouse?.close();
  rmSync(dir, { recursive: true, force: true });
});

// What `reindex preview` prints for the well-formed inputs, and the error
// count the engine gives them; a malformed row is one more error.
async function computeExpected(): Promise<void> {
  const engine = compilePolicies(TEST_POLICIES);
  const inputs: unknown[] = [];
  for (const { source, json } of demoRows({ events: EVENTS, days: 1, now: NOW, seed: 7 })) {
    expected[source].rows++;
    let input: unknown;
    try {
      input = JSON.parse(json);
    } catch {
      expected[source].malformed++;
      expected[source].errors++;
      continue;
    }
    expected[source].errors += engine.evaluate(source, input).errors.length;
    inputs.push(input);
  }
  const policyFile = join(dir, 'policies.json');
  const inputFile = join(dir, 'inputs.jsonl');
  const items = TEST_POLICIES.map((p) => ({ apiVersion: 'activity.miloapis.com/v1alpha1', kind: 'ActivityPolicy', ...p }));
  writeFileSync(policyFile, JSON.stringify({ kind: 'List', items }));
  writeFileSync(inputFile, inputs.map((i) => JSON.stringify(i)).join('\n'));
  const { stdout } = await run(process.execPath, [join(ROOT, 'bin/reindex.js'), 'preview', '--policy', policyFile, '--input', inputFile], {
    maxBuffer: 256 * 1024 * 1024,
  });
  for (const line of stdout.trim().split('\n')) {
    const out = JSON.parse(line) as { outcome: string; activity?: Activity };
    if (out.outcome !== 'activity' || !out.activity) continue;
    expected[out.activity.spec.origin.type].activities.set(out.activity.metadata.name, out.activity);
  }
}

async function postWindow(source: Source, o: { uid?: string; dryRun?: boolean; rateLimit?: number; batchSize?: number; mode?: 'binary' | 'structured' } = {}) {
  const data = windowRequest({
    job: { uid: o.uid ?? 'job-a' },
    window: { index: source === 'audit' ? 0 : 1, source, from: FROM, to: TO },
    dryRun: o.dryRun,
    rateLimit: o.rateLimit,
    batchSize: o.batchSize ?? 250,
  });
  const res = await fetch(`${fn.url}/`, cloudEventPost(requestedEvent(data), o.mode));
  const body = await res.text();
  return { status: res.status, body, data: res.status === 200 ? WindowCompleted.parse(JSON.parse(body)) : undefined };
}

async function purge(): Promise<void> {
  await jsm.streams.purge(DEFAULT_STREAM);
}

/** The Msg-Id of an activity: its input row's identity (source, id, stored time) and the job uid. */
function msgIdOf(activity: Activity, uid: string): string {
  const { type, id } = activity.spec.origin;
  const time = rowTimes.get(`${type}/${id}`);
  assert.ok(time, `a stored ${type} row ${id}`);
  return rowMsgId({ source: type as Source, id, time }, uid);
}

function assertExactlyExpected(stored: StoredActivityMessage[], uid: string): void {
  const all = new Map([...expected.audit.activities, ...expected.event.activities]);
  assert.equal(stored.length, all.size, 'one message per expected activity');
  const ids = new Set(stored.map((m) => m.msgId));
  assert.equal(ids.size, stored.length, 'no Msg-Id twice');
  for (const m of stored) {
    const activity = m.data as Activity;
    const want = all.get(activity.metadata.name);
    assert.ok(want, `unexpected activity ${activity.metadata.name}`);
    assert.deepEqual(activity, want);
    assert.equal(m.subject, activitySubject(want));
    assert.equal(m.msgId, msgIdOf(want, uid));
  }
}

test('a window of mixed audit logs and Events puts exactly what reindex preview gives on the stream', async () => {
  await purge();
  assert.ok(expected.audit.activities.size > 100 && expected.event.activities.size > 100, 'the policies produce activities from both sources');
  const audit = await postWindow('audit', { mode: 'binary' });
  const event = await postWindow('event', { mode: 'structured' });
  assert.equal(audit.status, 200, audit.body);
  assert.equal(event.status, 200, event.body);
  for (const [source, reply] of [['audit', audit.data!], ['event', event.data!]] as const) {
    assert.equal(reply.processedEvents, expected[source].rows, `${source} rows`);
    assert.equal(reply.activitiesGenerated, expected[source].activities.size, `${source} activities`);
    assert.equal(reply.errors, expected[source].errors, `${source} errors`);
  }
  assertExactlyExpected(await readStreamMessages(nc, DEFAULT_STREAM), 'job-a');
});

test('malformed rows and failing CEL expressions are counted and sampled while the rest is published', async () => {
  await purge();
  for (const source of ['audit', 'event'] as const) {
    const { data } = await postWindow(source, { uid: 'job-errors' });
    assert.ok(data);
    assert.ok(expected[source].errors > expected[source].malformed, `${source}: the broken policy fails on demo rows`);
    assert.equal(data.errors, expected[source].errors);
    // One sample per kind of error, counts adding up to every error of the window.
    assert.equal(data.errorSamples.reduce((n, s) => n + (s.count ?? 1), 0), expected[source].errors);
    assert.equal(new Set(data.errorSamples.map((s) => `${s.type}/${s.policy}/${s.rule}`)).size, data.errorSamples.length);
    const broken = source === 'audit' ? ['configmaps-broken', 'owner'] : ['replicasets-broken', 'note'];
    assert.ok(data.errorSamples.some((s) => s.policy === broken[0] && s.rule === broken[1] && s.originId !== '' && s.message !== ''));
    const rowSamples = data.errorSamples.filter((s) => /^malformed row/.test(s.message));
    assert.equal(rowSamples.length > 0, expected[source].malformed > 0, `${source}: a malformed row is sampled when there is one`);
    for (const s of rowSamples) assert.ok(s.originId !== '' && s.policy === '' && s.rule === '');
  }
  assert.ok(expected.audit.malformed + expected.event.malformed > 0, 'the demo data holds malformed rows');
  // Everything else of both windows is on the stream.
  assertExactlyExpected(await readStreamMessages(nc, DEFAULT_STREAM), 'job-errors');
});

test('a forged window (no signature, another key, tampered data) is refused 401 and publishes nothing; the signed one publishes', async () => {
  await purge();
  const data = windowRequest({ job: { uid: 'job-forged' }, window: { index: 0, source: 'audit', from: FROM, to: TO }, batchSize: 250 });
  const signed = requestedEvent(data);
  // Someone else's CEL under the real window's signature: every audit row becomes an activity.
  const hijacked = { ...data, policies: [{ metadata: { name: 'pwned' }, spec: { resource: { apiGroup: '', kind: 'Pod' }, auditRules: [{ name: 'all', match: 'true', summary: 'pwned' }] } }] };
  const { [SIGNATURE_EXTENSION]: _signature, ...attributes } = signed as unknown as Record<string, unknown>;
  const forgeries = {
    unsigned: new CloudEvent<unknown>(attributes as unknown as CloudEventV1<unknown>),
    'another key': requestedEvent(data, undefined, 'another-key-of-at-least-32-characters!'),
    'tampered data': signed.cloneWith({ data: hijacked }),
  };
  const unauthorizedBefore = await counterValue('activity_reindex_unauthorized_events_total');
  for (const [name, event] of Object.entries(forgeries)) {
    const res = await fetch(`${fn.url}/`, cloudEventPost(event));
    assert.equal(res.status, 401, name);
    assert.match((await res.json()).error, name === 'unsigned' ? /carries no reindexsignature/ : /does not match/, name);
  }
  assert.equal(await counterValue('activity_reindex_unauthorized_events_total'), unauthorizedBefore + 3);
  assert.equal((await jsm.streams.info(DEFAULT_STREAM)).state.messages, 0, 'nothing published by a forged window');

  const res = await fetch(`${fn.url}/`, cloudEventPost(signed));
  assert.equal(res.status, 200);
  const reply = HTTP.toEvent({ headers: Object.fromEntries(res.headers), body: await res.text() }) as CloudEventV1<unknown>;
  assert.equal(checkSignature(reply, TEST_SIGNING_KEY), 'valid', 'the reply is signed for the aggregator');
  assert.equal((await jsm.streams.info(DEFAULT_STREAM)).state.messages, expected.audit.activities.size);
});

async function counterValue(name: string): Promise<number> {
  const text = await (await fetch(`${fn.url}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

test('the same window delivered twice leaves no duplicate on the stream', async () => {
  await purge();
  const first = await postWindow('audit', { uid: 'job-twice' });
  const second = await postWindow('audit', { uid: 'job-twice' });
  assert.equal(first.status, 200);
  assert.equal(second.status, 200);
  assert.equal(second.data!.activitiesGenerated, first.data!.activitiesGenerated);
  const stored = await readStreamMessages(nc, DEFAULT_STREAM);
  assert.equal(stored.length, expected.audit.activities.size);
  assert.equal(new Set(stored.map((m) => m.msgId)).size, stored.length);
});

test('a dry run publishes nothing and reports the same counts as a real run', async () => {
  await purge();
  const dry = await postWindow('event', { uid: 'job-dry', dryRun: true });
  assert.equal(dry.status, 200);
  assert.equal((await jsm.streams.info(DEFAULT_STREAM)).state.messages, 0);
  const real = await postWindow('event', { uid: 'job-dry' });
  const { durationMs: _d, dryRun: report, ...dryCounts } = dry.data!;
  const { durationMs: _r, ...realCounts } = real.data!;
  assert.deepEqual(dryCounts, realCounts);
  // Nothing is in audit.activities here: every activity would be created.
  assert.deepEqual({ ...report, samples: undefined }, { wouldCreate: real.data!.activitiesGenerated, wouldChange: 0, unchanged: 0, wouldOrphan: 0, samples: undefined });
  assert.equal((await jsm.streams.info(DEFAULT_STREAM)).state.messages, expected.event.activities.size);
});

test('with NATS stopped mid-window it answers 503; redelivered after NATS is back, every activity is there once', async () => {
  await purge();
  // Paced so the window takes a few seconds and NATS can be stopped inside it.
  const pending = postWindow('audit', { uid: 'job-outage', rateLimit: 1000, batchSize: 100 });
  const deadline = Date.now() + 10_000;
  while ((await jsm.streams.info(DEFAULT_STREAM)).state.messages === 0) {
    assert.ok(Date.now() < deadline, 'the window started publishing');
    await new Promise((ok) => setTimeout(ok, 20));
  }
  await nats.stop();
  const failed = await pending;
  assert.equal(failed.status, 503, failed.body);
  assert.match(JSON.parse(failed.body).error, /JetStream publish/);
  assert.equal((await fetch(`${fn.url}/readyz`)).status, 503);

  await nats.restart();
  const readyBy = Date.now() + 10_000;
  while ((await fetch(`${fn.url}/readyz`)).status !== 200) {
    assert.ok(Date.now() < readyBy, 'ready again after NATS restarted');
    await new Promise((ok) => setTimeout(ok, 100));
  }
  const partial = (await jsm.streams.info(DEFAULT_STREAM)).state.messages;
  assert.ok(partial > 0 && partial < expected.audit.activities.size, `stream kept the first part (${partial})`);

  const retried = await postWindow('audit', { uid: 'job-outage' });
  assert.equal(retried.status, 200, retried.body);
  const stored = await readStreamMessages(nc, DEFAULT_STREAM);
  assert.equal(stored.length, expected.audit.activities.size);
  assert.equal(new Set(stored.map((m) => m.msgId)).size, stored.length);
  for (const m of stored) assert.equal(m.msgId, msgIdOf(m.data as Activity, 'job-outage'));
});
