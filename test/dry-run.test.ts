// A dry run through the whole local flow on real engines: embedded
// ClickHouse (chDB) in a temp dir, a real nats-server, the controller, the
// local Broker, the window function and the aggregator over real HTTP.
// A real job with policy v1 stores activities; policy v2 changes one rule's
// summary, adds a rule and narrows a match; the dry run with v2 must report
// exactly what the inputs crafted here say, and touch neither the stream
// nor the tables. The dry run's range starts and ends inside a second, with
// rows on both sides of each edge, so orphans there are counted right.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ClickHouseClient } from '@clickhouse/client';
import { jetstreamManager } from '@nats-io/jetstream';
import type { Activity } from '../shared/api/activity.js';
import type { ActivityPolicy } from '../shared/api/activity-policy.js';
import type { DryRunReport, ReindexJob } from '../shared/api/reindex-job.js';
import { createClickHouseClient } from '../shared/clickhouse/create-clickhouse-client.js';
import { insertActivities } from '../shared/clickhouse/insert-activities.js';
import { DEFAULT_TABLES } from '../shared/clickhouse/source-tables.js';
import { silentLogger } from '../shared/log.js';
import { DEFAULT_STREAM } from '../shared/nats/stream-config.js';
import { runMigrations } from '../migrations/run-migrations.js';
import { startLocalStack, type LocalStack } from '../local/local-stack.js';
import { runLocalJob } from '../local/run-local-job.js';

const run = promisify(execFile);
const ROOT = new URL('..', import.meta.url).pathname;
const SECOND = 1000;
// Recent enough for the 60-day retention check, on a whole minute.
const BASE = Math.floor((Date.now() - 3 * 3600_000) / 60_000) * 60_000;
const at = (ms: number) => new Date(BASE + ms).toISOString();
/** RFC3339 with microseconds, as audit logs and MicroTime carry them. */
const micro = (ms: number) => `${at(ms).slice(0, -1)}123Z`;

type AuditKind = 'create' | 'update' | 'delete' | 'delete-legacy' | 'patch' | 'get';
type EventKind = 'Scheduled' | 'Pulled' | 'BackOff';
interface Row {
  source: 'audit' | 'event';
  id: string;
  ms: number;
  kind: AuditKind | EventKind;
  name: string;
  namespace: string;
}

const AUDIT_CYCLE: AuditKind[] = ['create', 'create', 'update', 'update', 'delete', 'delete-legacy', 'patch', 'get'];
const EVENT_CYCLE: EventKind[] = ['Scheduled', 'Pulled', 'BackOff'];

// The dry run covers [5 min + 0.5 s, 35 min + 0.5 s); the real run all of the first hour.
const DRY_FROM = 300 * SECOND + 500;
const DRY_TO = 2100 * SECOND + 500;

function craftRows(): Row[] {
  const rows: Row[] = [];
  // One audit log a second from minute 1 to minute 41, at varying fractions.
  for (let i = 0; i < 2400; i++) {
    const kind = AUDIT_CYCLE[i % AUDIT_CYCLE.length]!;
    rows.push({ source: 'audit', id: `audit-${i}`, ms: 60 * SECOND + i * SECOND + ((i * 137) % 1000), kind, name: `web-${i}`, namespace: kind === 'delete-legacy' ? 'legacy' : 'default' });
  }
  // Deletions in the legacy namespace on both sides of both edges of the dry run.
  for (const [id, ms] of [['edge-a', DRY_FROM - 300], ['edge-b', DRY_FROM + 300], ['edge-c', DRY_TO - 200], ['edge-d', DRY_TO + 200]] as const) {
    rows.push({ source: 'audit', id, ms, kind: 'delete-legacy', name: id, namespace: 'legacy' });
  }
  for (let j = 0; j < 300; j++) {
    rows.push({ source: 'event', id: `event-${j}`, ms: 90 * SECOND + j * 7 * SECOND + ((j * 311) % 1000), kind: EVENT_CYCLE[j % 3]!, name: `pod-${j}`, namespace: 'default' });
  }
  return rows;
}

function auditLog(r: Row): unknown {
  const verb = r.kind === 'delete-legacy' ? 'delete' : r.kind;
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: r.id,
    stage: 'ResponseComplete',
    requestURI: `/apis/apps/v1/namespaces/${r.namespace}/deployments/${r.name}`,
    verb,
    user: { username: 'alice', uid: 'u-alice' },
    objectRef: { resource: 'deployments', namespace: r.namespace, name: r.name, apiGroup: 'apps', apiVersion: 'v1' },
    responseStatus: { code: 200 },
    requestReceivedTimestamp: micro(r.ms),
    stageTimestamp: micro(r.ms + 5),
  };
}

function k8sEvent(r: Row): unknown {
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: `${r.name}.${r.id}`, namespace: r.namespace, uid: r.id, creationTimestamp: at(Math.floor(r.ms / SECOND) * SECOND) },
    eventTime: micro(r.ms),
    reason: r.kind,
    note: `${r.kind} ${r.name}`,
    type: 'Normal',
    action: r.kind,
    reportingController: 'kubelet',
    reportingInstance: 'node-1',
    regarding: { kind: 'Pod', apiVersion: 'v1', name: r.name, namespace: r.namespace, uid: `uid-${r.name}` },
  };
}

const deploymentsV1: ActivityPolicy = {
  metadata: { name: 'deployments' },
  spec: {
    resource: { apiGroup: 'apps', kind: 'Deployment' },
    auditRules: [
      { name: 'create', match: "audit.verb == 'create'", summary: '{{ actor }} created deployment {{ audit.objectRef.name }}' },
      { name: 'update', match: "audit.verb == 'update'", summary: '{{ actor }} updated deployment {{ audit.objectRef.name }}' },
      { name: 'delete', match: "audit.verb == 'delete'", summary: '{{ actor }} deleted deployment {{ audit.objectRef.name }}' },
    ],
  },
};
const podsV1: ActivityPolicy = {
  metadata: { name: 'pods' },
  spec: {
    resource: { apiGroup: '', kind: 'Pod' },
    eventRules: [{ name: 'scheduled', match: "event.reason == 'Scheduled'", summary: '{{ actor }} scheduled {{ event.regarding.name }}' }],
  },
};
// v2: create's summary changes, a patch rule is added, delete no longer matches the legacy namespace;
// and events gain a rule for Pulled.
const deploymentsV2: ActivityPolicy = {
  metadata: { name: 'deployments' },
  spec: {
    resource: { apiGroup: 'apps', kind: 'Deployment' },
    auditRules: [
      { name: 'create', match: "audit.verb == 'create'", summary: '{{ actor }} created deployment {{ audit.objectRef.name }} in {{ audit.objectRef.namespace }}' },
      { name: 'update', match: "audit.verb == 'update'", summary: '{{ actor }} updated deployment {{ audit.objectRef.name }}' },
      { name: 'delete', match: "audit.verb == 'delete' && audit.objectRef.namespace != 'legacy'", summary: '{{ actor }} deleted deployment {{ audit.objectRef.name }}' },
      { name: 'patch', match: "audit.verb == 'patch'", summary: '{{ actor }} patched deployment {{ audit.objectRef.name }}' },
    ],
  },
};
const podsV2: ActivityPolicy = {
  metadata: { name: 'pods' },
  spec: {
    resource: { apiGroup: '', kind: 'Pod' },
    eventRules: [
      { name: 'scheduled', match: "event.reason == 'Scheduled'", summary: '{{ actor }} scheduled {{ event.regarding.name }}' },
      { name: 'pulled', match: "event.reason == 'Pulled'", summary: '{{ actor }} pulled the image of {{ event.regarding.name }}' },
    ],
  },
};

// What each crafted row becomes under each policy version, written out by hand.
function summaryV1(r: Row): string | undefined {
  if (r.kind === 'create') return `alice created deployment ${r.name}`;
  if (r.kind === 'update') return `alice updated deployment ${r.name}`;
  if (r.kind === 'delete' || r.kind === 'delete-legacy') return `alice deleted deployment ${r.name}`;
  if (r.kind === 'Scheduled') return `kubelet scheduled ${r.name}`;
  return undefined;
}
function summaryV2(r: Row): string | undefined {
  if (r.kind === 'create') return `alice created deployment ${r.name} in ${r.namespace}`;
  if (r.kind === 'update') return `alice updated deployment ${r.name}`;
  if (r.kind === 'delete') return `alice deleted deployment ${r.name}`;
  if (r.kind === 'patch') return `alice patched deployment ${r.name}`;
  if (r.kind === 'Scheduled') return `kubelet scheduled ${r.name}`;
  if (r.kind === 'Pulled') return `kubelet pulled the image of ${r.name}`;
  return undefined;
}

/** An activity stored by something other than these policies, whose source row is gone. */
function ghost(id: string, ms: number): Activity {
  return {
    kind: 'Activity',
    apiVersion: 'activity.miloapis.com/v1alpha1',
    metadata: { name: `act-${id}`, creationTimestamp: at(Math.floor(ms / SECOND) * SECOND).replace('.000Z', 'Z'), labels: { 'activity.miloapis.com/policy-name': 'retired' } },
    spec: {
      summary: `ghost ${id}`,
      changeSource: 'human',
      actor: { type: 'user', name: 'carol' },
      resource: { apiGroup: 'apps', apiVersion: 'v1', kind: 'Deployment', name: id, namespace: 'default' },
      tenant: { type: 'platform', name: '' },
      origin: { type: 'audit', id },
    },
  };
}
const GHOSTS = [ghost('ghost-in', 1000 * SECOND), ghost('ghost-out', 2500 * SECOND)];

let dir: string;
let clickhouse: ClickHouseClient;
let stack: LocalStack;
const rows = craftRows();

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'reindex-dry-run-'));
  clickhouse = createClickHouseClient({ dataDir: join(dir, 'chdb') });
  await runMigrations(clickhouse);
  for (const source of ['audit', 'event'] as const) {
    await clickhouse.insert({
      table: source === 'audit' ? DEFAULT_TABLES.auditLogs : DEFAULT_TABLES.k8sEvents,
      columns: ['event_json'],
      values: rows.filter((r) => r.source === source).map((r) => ({ event_json: JSON.stringify(source === 'audit' ? auditLog(r) : k8sEvent(r)) })),
      format: 'JSONEachRow',
    });
  }
  stack = await startLocalStack({ clickhouse, tables: DEFAULT_TABLES, log: silentLogger, statusPage: false, retryDelayScale: 0.001 });
  assert.equal(stack.destination.kind, 'nats', 'nats-server must be installed for this test');
});

after(async () => {
  await stack?.close();
  await clickhouse?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function streamMessages(): Promise<number> {
  const jsm = await jetstreamManager(stack.nc!);
  return (await jsm.streams.info(DEFAULT_STREAM)).state.messages;
}

async function activityRows(): Promise<number> {
  const rs = await clickhouse.query({ query: `SELECT count() AS n FROM ${DEFAULT_TABLES.activities}`, format: 'JSONEachRow' });
  return Number((await rs.json<{ n: string }>())[0]!.n);
}

function job(name: string, from: number, to: number, dryRun: boolean, policies: ActivityPolicy[]) {
  return runLocalJob(stack, {
    name,
    policies,
    spec: { timeRange: { startTime: at(from), endTime: at(to) }, config: { batchSize: 100, rateLimit: 1_000_000, parallelism: 4, dryRun } },
    pollMs: 100,
  });
}

test('a dry run with changed policies reports exactly what would change, create and orphan, and writes nothing', async () => {
  // The old policy's activities, stored the real way: JetStream, then the sink into audit.activities.
  const real = await job('store-v1', 0, 3600 * SECOND, false, [deploymentsV1, podsV1]);
  assert.equal(real.status?.phase, 'Succeeded', real.status?.message);
  const storedV1 = rows.filter((r) => summaryV1(r) !== undefined).length;
  assert.equal(real.status?.progress?.activitiesGenerated, storedV1);
  await insertActivities(clickhouse, DEFAULT_TABLES, GHOSTS);
  const messagesBefore = await streamMessages();
  const rowsBefore = await activityRows();
  assert.equal(rowsBefore, storedV1 + GHOSTS.length);

  const dry: ReindexJob = await job('dry-v2', DRY_FROM, DRY_TO, true, [deploymentsV2, podsV2]);
  assert.equal(dry.status?.phase, 'Succeeded', dry.status?.message);
  assert.ok(dry.status!.windows!.total >= 3, `several windows, so window edges are crossed (got ${dry.status!.windows!.total})`);

  // Independently: classify the crafted rows whose time falls in the dry run's range.
  const inRange = rows.filter((r) => r.ms >= DRY_FROM && r.ms < DRY_TO);
  const expected = { change: new Map<string, Row>(), create: new Map<string, Row>(), unchanged: 0, orphan: new Map<string, string>() };
  for (const r of inRange) {
    const before = summaryV1(r);
    const after = summaryV2(r);
    if (before !== undefined && after === undefined) expected.orphan.set(r.id, before);
    else if (before === undefined && after !== undefined) expected.create.set(r.id, r);
    else if (before !== after) expected.change.set(r.id, r);
    else if (before !== undefined) expected.unchanged++;
  }
  expected.orphan.set('ghost-in', 'ghost ghost-in');
  // The crafted edges: rows just inside each edge are orphans; those just outside are not.
  assert.ok(expected.orphan.has('edge-b') && expected.orphan.has('edge-c'));
  assert.ok(!expected.orphan.has('edge-a') && !expected.orphan.has('edge-d'));
  assert.ok(expected.change.size > 5 && expected.create.size > 5 && expected.orphan.size > 5);

  const report = dry.status!.dryRunReport as DryRunReport;
  assert.deepEqual(
    { wouldChange: report.wouldChange, wouldCreate: report.wouldCreate, unchanged: report.unchanged, wouldOrphan: report.wouldOrphan },
    { wouldChange: expected.change.size, wouldCreate: expected.create.size, unchanged: expected.unchanged, wouldOrphan: expected.orphan.size },
  );
  const n = (v: number) => v.toLocaleString('en-US');
  assert.equal(
    dry.status?.message,
    `Dry run: ${n(expected.change.size)} activities would change, ${n(expected.create.size)} be created, ${n(expected.orphan.size)} orphaned; ${n(expected.unchanged)} unchanged`,
  );

  // Five samples of each kind, each the stored and the new summary of its own origin.
  assert.equal(report.samples.change.length, 5);
  for (const s of report.samples.change) {
    const r = expected.change.get(s.originId);
    assert.ok(r, `${s.originId} is not one that would change`);
    assert.deepEqual(s, { originId: r.id, policy: 'deployments', storedSummary: summaryV1(r), newSummary: summaryV2(r) });
  }
  assert.equal(report.samples.create.length, 5);
  for (const s of report.samples.create) {
    const r = expected.create.get(s.originId);
    assert.ok(r, `${s.originId} is not one that would be created`);
    assert.deepEqual(s, { originId: r.id, policy: r.source === 'audit' ? 'deployments' : 'pods', newSummary: summaryV2(r) });
  }
  assert.equal(report.samples.orphan.length, 5);
  for (const s of report.samples.orphan) {
    assert.ok(expected.orphan.has(s.originId), `${s.originId} is not one that would be orphaned`);
    assert.equal(s.storedSummary, expected.orphan.get(s.originId));
    assert.equal(s.newSummary, undefined);
  }

  // Nothing published, nothing written.
  assert.equal(await streamMessages(), messagesBefore);
  assert.equal(await activityRows(), rowsBefore);
});

test('reindex demo --dry-run prints the report as a table', async () => {
  // Its own process and data dir: chDB binds one directory per process. Nothing is stored there yet,
  // so every activity the demo policies make would be created.
  const dataDir = join(dir, 'cli');
  const { stdout } = await run(process.execPath, [join(ROOT, 'bin/reindex.js'), '--data-dir', dataDir, 'demo', '--events', '300', '--dry-run'], {
    cwd: ROOT,
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'CLICKHOUSE_URL' && k !== 'NATS_URL')),
  });
  const generated = Number(/activities\s+([\d,]+) generated/.exec(stdout)?.[1]?.replace(/,/g, ''));
  assert.ok(generated > 0, stdout);
  assert.match(stdout, /Succeeded — Dry run: 0 activities would change, [\d,]+ be created, 0 orphaned; 0 unchanged/);
  assert.match(stdout, /^Dry run against audit\.activities \(nothing was published or written\):$/m);
  assert.match(stdout, new RegExp(`^  would create  ${generated.toLocaleString('en-US')}$`, 'm'));
  assert.match(stdout, /^  would change  0$/m);
  assert.match(stdout, /^  KIND +ORIGIN +POLICY +STORED SUMMARY +NEW SUMMARY$/m);
  assert.equal(stdout.match(/^  create  /gm)?.length, 5);
});
