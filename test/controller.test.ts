// The ReindexJob lifecycle over real HTTP (issue 5's must-show): the test
// Kubernetes API server, embedded ClickHouse with crafted rows, nats-server,
// the real window function and aggregator, and a recording broker between
// the controller and them.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { CustomObjectsApi, PatchStrategy, Watch, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import type { ClickHouseClient } from '@clickhouse/client';
import { buildAggregatorDeps } from '../functions/aggregator/build-aggregator-deps.js';
import { startAggregator } from '../functions/aggregator/start-aggregator.js';
import { buildWindowDeps } from '../functions/window/build-window-deps.js';
import { startWindowFunction } from '../functions/window/start-window-function.js';
import { startKubeApiServer, type KubeApiServer } from '../local/kube-api-server.js';
import { startNatsServer, type NatsServerHandle } from '../local/nats-server.js';
import { runMigrations } from '../migrations/run-migrations.js';
import { GROUP, REINDEXJOB_PLURAL, VERSION, type ReindexJob, type ReindexJobSpec } from '../shared/api/reindex-job.js';
import { createClickHouseClient } from '../shared/clickhouse/create-clickhouse-client.js';
import { DEFAULT_TABLES } from '../shared/clickhouse/source-tables.js';
import { connectNats } from '../shared/nats/connect-nats.js';
import { ensureStream } from '../shared/nats/ensure-stream.js';
import { createLogger, silentLogger } from '../shared/log.js';
import { parseWindowRanges, windowIndexes } from '../shared/contracts/window-ranges.js';
import { parseJobPlan, planWindows } from '../shared/contracts/job-plan.js';

const parseIndexRanges = (text: string | undefined) => new Set(windowIndexes(parseWindowRanges(text)));
import { runController, type RunningController } from '../controller/run-controller.js';
import { startRecordingBroker, type RecordingBroker } from './helpers/recording-broker.js';
import { TEST_SIGNING_KEY } from './window-function-fixtures.js';
import { deploymentUpdate } from './helpers/audit-events.js';

// Rows: one audit row every 3.6 s over three hours (1000 an hour, all
// matching the policy), plus 100 Kubernetes Events in the first hour, plus
// 40 malformed audit rows in a separate hour for the error budget.
const HOUR = 3600_000;
const BASE = Math.floor((Date.now() - 48 * HOUR) / HOUR) * HOUR;
const AUDIT_PER_HOUR = 1000;
const EVENTS = 100;
const MALFORMED = 40;
const iso = (ms: number) => new Date(ms).toISOString();
const range = (fromHours: number, toHours: number) => ({ startTime: iso(BASE + fromHours * HOUR), endTime: iso(BASE + toHours * HOUR) });

let kube: KubeApiServer;
let custom: CustomObjectsApi;
let kubeConfig: KubeConfig;
let clickhouse: ClickHouseClient;
let nats: NatsServerHandle;
let nc: NatsConnection;
let broker: RecordingBroker;
const closers: (() => Promise<unknown>)[] = [];

before(async () => {
  clickhouse = createClickHouseClient({ dataDir: mkdtempSync(join(tmpdir(), 'reindex-controller-')) });
  await runMigrations(clickhouse);
  await seed(clickhouse);
  nats = await startNatsServer();
  nc = await connectNats(nats.url);
  await ensureStream(await jetstreamManager(nc));
  const windowFunction = await startWindowFunction(await buildWindowDeps({ clickhouse, nc, log: silentLogger, signingKey: TEST_SIGNING_KEY }));
  // Schema validation off: the controller's own validation is under test.
  kube = await startKubeApiServer({ validate: false });
  kubeConfig = kube.kubeConfig();
  custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const aggregator = await startAggregator(buildAggregatorDeps({ kubeConfig, log: process.env.TEST_LOG ? createLogger('aggregator', 'debug') : silentLogger, eventsNamespace: 'default', signingKey: TEST_SIGNING_KEY }));
  broker = await startRecordingBroker({ windowUrl: windowFunction.url, aggregatorUrl: aggregator.url, retries: 1 });
  closers.push(() => broker.close(), () => aggregator.close(), () => windowFunction.close(1000), () => kube.close());
  await createPolicy();
});

after(async () => {
  for (const close of closers.reverse()) await close().catch(() => undefined);
  await nc?.close();
  await nats?.destroy();
  await clickhouse?.close();
});

async function startController(opts: { maxConcurrentJobs?: number } = {}): Promise<RunningController> {
  return runController({
    kubeConfig,
    clickhouse,
    tables: DEFAULT_TABLES,
    brokerUrl: broker.url,
    signingKey: TEST_SIGNING_KEY,
    namespace: 'default',
    log: process.env.TEST_LOG ? createLogger('controller', 'debug') : silentLogger,
    maxConcurrentJobs: opts.maxConcurrentJobs ?? 1,
    windowBatches: 1, // windows of about batchSize events: many small windows
    emit: { minRetryDelayMs: 20, retries: 2, timeoutMs: 5000 },
    resultDeadlineMs: 600_000,
  });
}

/** Starts a controller for one test and, after it, deletes the test's jobs so the next test has the slot. */
async function controllerFor(t: { after: (fn: () => Promise<void>) => void }, names: string[]): Promise<RunningController> {
  const controller = await startController();
  t.after(async () => {
    await controller.stop();
    for (const name of names) await deleteJob(name);
  });
  return controller;
}

function spec(timeRange: ReindexJobSpec['timeRange'], config: NonNullable<ReindexJobSpec['config']> = {}, extra: Partial<ReindexJobSpec> = {}): ReindexJobSpec {
  return { timeRange, policySelector: { names: ['deployments'] }, config: { batchSize: 100, rateLimit: 1_000_000, parallelism: 4, ...config }, ...extra };
}

async function createJob(name: string, jobSpec: ReindexJobSpec): Promise<void> {
  await custom.createClusterCustomObject({
    group: GROUP,
    version: VERSION,
    plural: REINDEXJOB_PLURAL,
    body: { apiVersion: `${GROUP}/${VERSION}`, kind: 'ReindexJob', metadata: { name }, spec: jobSpec },
  });
}

async function patchSpec(name: string, patch: Partial<ReindexJobSpec>): Promise<void> {
  await custom.patchClusterCustomObject(
    { group: GROUP, version: VERSION, plural: REINDEXJOB_PLURAL, name, body: { spec: patch } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

async function deleteJob(name: string): Promise<void> {
  await custom.deleteClusterCustomObject({ group: GROUP, version: VERSION, plural: REINDEXJOB_PLURAL, name }).catch(() => undefined);
}

function job(name: string): ReindexJob | undefined {
  return kube.getObject(GROUP, REINDEXJOB_PLURAL, name) as ReindexJob | undefined;
}

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 25));
  }
}

const phaseOf = (name: string) => job(name)?.status?.phase;
const waitPhase = (name: string, phase: string, timeoutMs?: number) =>
  waitFor(`${name} ${phase} (now ${phaseOf(name)}: ${job(name)?.status?.message})`, () => (phaseOf(name) === phase ? job(name) : undefined), timeoutMs);

/** Records every phase and message a job's status goes through, from a watch: every change, none sampled away. */
async function recordPhases(): Promise<{ seen: Map<string, { phase?: string; message?: string }[]>; stop(): void }> {
  const seen = new Map<string, { phase?: string; message?: string }[]>();
  const request = await new Watch(kubeConfig).watch(
    `/apis/${GROUP}/${VERSION}/${REINDEXJOB_PLURAL}`,
    {},
    (_type, obj: ReindexJob) => {
      const list = seen.get(obj.metadata.name) ?? [];
      const last = list.at(-1);
      const now = { phase: obj.status?.phase, message: obj.status?.message };
      if (!last || last.phase !== now.phase || last.message !== now.message) list.push(now);
      seen.set(obj.metadata.name, list);
    },
    () => undefined,
  );
  return { seen, stop: () => request.abort() };
}

function eventsAbout(name: string): string[] {
  return (kube.listObjects('events.k8s.io', 'events', 'default') as unknown as { reason: string; regarding?: { name?: string } }[])
    .filter((e) => e.regarding?.name === name)
    .map((e) => e.reason);
}

test('carries a job from Pending to Succeeded with exact totals, percent, ETA, conditions and Events across 20+ windows', async (t) => {
  const phases = await recordPhases();
  t.after(() => phases.stop());
  await controllerFor(t, ['full']);
  await createJob('full', spec(range(0, 3)));
  const done = await waitPhase('full', 'Succeeded', 90_000);
  const status = done.status!;
  const expectedAudit = 3 * AUDIT_PER_HOUR;
  assert.ok(status.windows!.total >= 20, `only ${status.windows!.total} windows`);
  assert.equal(status.windows!.completed, status.windows!.total);
  assert.deepEqual([...parseIndexRanges(status.windows!.completedRanges)].length, status.windows!.total);
  assert.equal(status.progress!.totalEvents, expectedAudit + EVENTS);
  assert.equal(status.progress!.processedEvents, expectedAudit + EVENTS);
  assert.equal(status.progress!.activitiesGenerated, expectedAudit + EVENTS);
  assert.equal(status.progress!.errors, 0);
  assert.equal(status.progress!.percent, 100);
  assert.ok(status.estimatedCompletionTime, 'an ETA was published');
  assert.equal(status.resolvedTimeRange!.startTime, range(0, 3).startTime);
  assert.deepEqual(status.policies!.map((p) => p.name), ['deployments']);
  for (const type of ['Ready', 'AuditLogsProcessed', 'EventsProcessed']) {
    assert.equal(status.conditions!.find((c) => c.type === type)?.status, 'True', `${type} is True`);
  }
  await waitFor('the watch to see Succeeded', () => phases.seen.get('full')?.some((p) => p.phase === 'Succeeded'), 5000);
  const seenPhases = phases.seen.get('full')!.map((p) => p.phase).filter((p, i, all) => p !== all[i - 1]);
  assert.deepEqual(seenPhases.filter((p) => p !== undefined), ['Pending', 'Running', 'Succeeded']);
  await waitFor(`Started and Completed Events (got ${eventsAbout('full')})`, () => eventsAbout('full').includes('Completed'), 5000);
  assert.equal(eventsAbout('full').filter((r) => r === 'Started').length, 1);
  // Every window emitted exactly once: nothing failed, nothing was re-emitted.
  const indexes = broker.indexes('full');
  assert.equal(indexes.length, status.windows!.total);
  assert.equal(new Set(indexes).size, indexes.length);
});

test('with the limit at 1, three jobs run one after another, in creation order', async (t) => {
  const phases = await recordPhases();
  t.after(() => phases.stop());
  await controllerFor(t, ['queue-a', 'queue-b', 'queue-c']);
  // Created in a row: within one second of creationTimestamp the name breaks the tie, in the same order.
  for (const [i, name] of ['queue-a', 'queue-b', 'queue-c'].entries()) await createJob(name, spec(range(i * 0.25, i * 0.25 + 0.25), { rateLimit: 2000 }));
  const done = [];
  for (const name of ['queue-a', 'queue-b', 'queue-c']) done.push((await waitPhase(name, 'Succeeded', 60_000)).status!);
  for (let i = 1; i < done.length; i++) {
    assert.ok(Date.parse(done[i].startedAt!) >= Date.parse(done[i - 1].completedAt!), `job ${i} started after job ${i - 1} completed`);
  }
  assert.ok(
    phases.seen.get('queue-c')!.some((p) => p.phase === 'Pending' && /waiting for .*queue-a/.test(p.message ?? '')),
    `queue-c said what it waited for: ${JSON.stringify(phases.seen.get('queue-c'))}`,
  );
  const order = broker.emitted.filter((e) => e.job.startsWith('queue-')).map((e) => e.job);
  assert.deepEqual([...new Set(order)], ['queue-a', 'queue-b', 'queue-c']);
  assert.deepEqual(order, [...order].sort(), 'no window of a later job before one of an earlier job');
});

test('a result delivered twice is counted once', async (t) => {
  await controllerFor(t, ['twice']);
  broker.deliverResultsTwice(true);
  t.after(() => broker.deliverResultsTwice(false));
  await createJob('twice', spec(range(1, 1.5)));
  const status = (await waitPhase('twice', 'Succeeded', 60_000)).status!;
  assert.equal(status.progress!.processedEvents, AUDIT_PER_HOUR / 2);
  assert.equal(status.windows!.completed, status.windows!.total);
});

test('a window that fails after its retries fails the job, and the status names it', async (t) => {
  await controllerFor(t, ['failing']);
  broker.failWindow('failing', 2);
  await createJob('failing', spec(range(1, 1.5), { parallelism: 1 }));
  const status = (await waitPhase('failing', 'Failed', 60_000)).status!;
  assert.equal(status.windows!.failedRanges, '2');
  assert.match(status.message ?? '', /\b2\b/);
  await waitFor('a Failed Event', () => eventsAbout('failing').includes('Failed'), 5000);
});

test('a maxErrors budget exceeded fails the job with a message', async (t) => {
  await controllerFor(t, ['budget']);
  await createJob('budget', spec(range(4, 5), { maxErrors: 5 }));
  const status = (await waitPhase('budget', 'Failed', 60_000)).status!;
  assert.ok(status.progress!.errors > 5);
  assert.match(status.message ?? '', /maxErrors|budget/i);
});

test('a controller killed mid-job and started again finishes without emitting a completed window again', async (t) => {
  let controller = await startController();
  t.after(async () => {
    await controller.stop();
    await deleteJob('restart');
  });
  // 100 events a window at 1000/s: a window every 100 ms, about 3 s in all.
  await createJob('restart', spec(range(0, 3), { rateLimit: 1000 }));
  const midRun = await waitFor('5 completed windows', () => ((job('restart')?.status?.windows?.completed ?? 0) >= 5 ? job('restart')!.status! : undefined));
  // About 2,600 events left at about 1000/s: the ETA is seconds ahead, not in the past nor hours away.
  const etaIn = Date.parse(midRun.estimatedCompletionTime ?? '') - Date.now();
  assert.ok(etaIn > 0 && etaIn < 30_000, `ETA ${midRun.estimatedCompletionTime} is ${etaIn} ms from now`);
  await controller.stop();
  await broker.idle();
  const completedAtRestart = parseIndexRanges(job('restart')!.status!.windows!.completedRanges);
  const restartedAt = Date.now();
  controller = await startController();
  const status = (await waitPhase('restart', 'Succeeded', 90_000)).status!;
  const reEmitted = broker.emitted.filter((e) => e.job === 'restart' && e.at >= restartedAt && completedAtRestart.has(e.index));
  assert.deepEqual(reEmitted.map((e) => e.index), []);
  assert.equal(status.progress!.processedEvents, 3 * AUDIT_PER_HOUR + EVENTS);
  assert.ok(broker.emitted.some((e) => e.job === 'restart' && e.at >= restartedAt), 'the new controller emitted the rest');
});

test('suspend stops emission and resume continues', async (t) => {
  await controllerFor(t, ['pause']);
  // A window every 200 ms.
  await createJob('pause', spec(range(2, 2.8), { rateLimit: 500 }));
  await waitFor('2 emissions', () => broker.indexes('pause').length >= 2);
  await patchSpec('pause', { suspend: true });
  await waitPhase('pause', 'Suspended');
  const emittedWhenSuspended = broker.indexes('pause').length;
  await new Promise((ok) => setTimeout(ok, 1000));
  assert.equal(broker.indexes('pause').length, emittedWhenSuspended, 'nothing emitted while suspended');
  await patchSpec('pause', { suspend: false });
  const status = (await waitPhase('pause', 'Succeeded', 60_000)).status!;
  assert.equal(status.windows!.completed, status.windows!.total);
  assert.ok(broker.indexes('pause').length > emittedWhenSuspended);
});

test('lowering rateLimit mid-job slows emission, and the windows carry the new share', async (t) => {
  await controllerFor(t, ['slower']);
  await createJob('slower', spec(range(0, 3), { rateLimit: 2000, parallelism: 4 })); // a window every 50 ms
  await waitFor('3 emissions', () => broker.indexes('slower').length >= 3);
  await patchSpec('slower', { config: { rateLimit: 10 } }); // now a window every 10 s
  await waitFor('rethrottle observed', () => job('slower')?.status?.observedGeneration === job('slower')?.metadata.generation);
  const atChange = broker.indexes('slower').length;
  await new Promise((ok) => setTimeout(ok, 1500));
  // At 2000/s, 1.5 s would have emitted every window left; at 10/s at most the one already due.
  assert.ok(broker.indexes('slower').length <= atChange + 1, `${broker.indexes('slower').length - atChange} windows emitted after the change`);
  const late = broker.emitted.filter((e) => e.job === 'slower').slice(atChange);
  for (const e of late) assert.equal(e.rateLimit, 10 / 4);
});

test('deleting a job stops its emission', async (t) => {
  await controllerFor(t, ['doomed']);
  await createJob('doomed', spec(range(0, 3), { rateLimit: 500 }));
  await waitFor('2 emissions', () => broker.indexes('doomed').length >= 2);
  await deleteJob('doomed');
  await waitFor('job gone', () => !job('doomed'));
  const deletedAt = Date.now();
  await new Promise((ok) => setTimeout(ok, 1000));
  assert.deepEqual(broker.emitted.filter((e) => e.job === 'doomed' && e.at > deletedAt + 100).map((e) => e.index), []);
});

test('TTL deletes a finished job', async (t) => {
  await controllerFor(t, ['short-lived']);
  await createJob('short-lived', spec(range(2, 2.25), {}, { ttlSecondsAfterFinished: 1 }));
  await waitPhase('short-lived', 'Succeeded', 60_000);
  await waitFor('job deleted after its TTL', () => !job('short-lived'), 10_000);
});

test('keeps watching after the watch stream ends and after 410 Gone, and stores the plan in a ConfigMap owned by the job', async (t) => {
  await controllerFor(t, ['rewatched']);
  kube.closeWatches();
  kube.compact(); // the resume from the last resourceVersion gets 410 Gone: the controller lists again
  await createJob('rewatched', spec(range(2, 2.25)));
  const done = await waitPhase('rewatched', 'Succeeded', 30_000);
  const configMap = kube.getObject('', 'configmaps', 'reindexjob-rewatched', 'default') as unknown as {
    metadata: { ownerReferences: { kind: string; name: string; uid: string }[] };
    data: Record<string, string>;
  };
  assert.deepEqual(configMap.metadata.ownerReferences.map((o) => [o.kind, o.name, o.uid]), [['ReindexJob', 'rewatched', done.metadata.uid]]);
  assert.equal(planWindows(parseJobPlan(configMap.data['plan.json'])).length, done.status!.windows!.total);
});

test('a broker answering 500 is retried with backoff', async (t) => {
  await controllerFor(t, ['retried']);
  broker.rejectNext(2);
  await createJob('retried', spec(range(2, 2.25)));
  const status = (await waitPhase('retried', 'Succeeded', 30_000)).status!;
  assert.equal(broker.indexes('retried').length, status.windows!.total);
  // Retried within the same emission (backoff of tens of ms), not left for a later reconcile seconds away.
  const first = broker.emitted.find((e) => e.job === 'retried')!;
  assert.equal(broker.rejected.length, 2);
  assert.ok(first.at - broker.rejected[1] < 1000, `retry came ${first.at - broker.rejected[1]} ms after the refusal`);
});

test('a policy that does not compile fails the job naming policy and rule, before any window is emitted', async (t) => {
  await controllerFor(t, ['uncompilable']);
  await createPolicy('broken-policy', { name: 'broken-rule', match: "audit.verb ==", summary: 'x' });
  await createJob('uncompilable', { ...spec(range(0, 1)), policySelector: { names: ['broken-policy'] } });
  const status = (await waitPhase('uncompilable', 'Failed')).status!;
  assert.match(status.message ?? '', /broken-policy/);
  assert.match(status.message ?? '', /broken-rule/);
  assert.deepEqual(broker.indexes('uncompilable'), []);
});

test('a selector that matches no Ready policy fails the job at once, naming the policy left out', async (t) => {
  await controllerFor(t, ['nothing-ready']);
  await createPolicy('not-ready', undefined, { ready: 'False', labels: { team: 'storage' } });
  await createJob('nothing-ready', { ...spec(range(0, 1)), policySelector: { matchLabels: { team: 'storage' } } });
  const status = (await waitPhase('nothing-ready', 'Failed')).status!;
  assert.match(status.message ?? '', /^policySelector matched no Ready ActivityPolicy \(left out: not-ready: not Ready: Ready=False \(InvalidCEL\)/);
  assert.deepEqual(status.policies?.map((p) => [p.name, /^not Ready/.test(p.skipped ?? '')]), [['not-ready', true]]);
  assert.deepEqual(broker.indexes('nothing-ready'), []);
});

test('flipping dryRun mid-job is ignored and said so: every window keeps the value the job started with', async (t) => {
  const phases = await recordPhases();
  t.after(() => phases.stop());
  await controllerFor(t, ['flip']);
  await createJob('flip', spec(range(2, 2.8), { rateLimit: 500 })); // a window every 200 ms
  await waitFor('2 emissions', () => broker.indexes('flip').length >= 2);
  await patchSpec('flip', { config: { dryRun: true } });
  const status = (await waitPhase('flip', 'Succeeded', 60_000)).status!;
  assert.equal(status.observedGeneration, job('flip')!.metadata.generation);
  assert.ok(
    phases.seen.get('flip')!.some((p) => /spec\.config\.dryRun changed after the job started and is ignored/.test(p.message ?? '')),
    `the status said the change was ignored: ${JSON.stringify(phases.seen.get('flip'))}`,
  );
  const emitted = broker.emitted.filter((e) => e.job === 'flip');
  assert.equal(emitted.length, status.windows!.total);
  assert.deepEqual([...new Set(emitted.map((e) => e.data.dryRun))], [false]);
  assert.equal(status.dryRunReport, undefined);
  assert.equal(status.progress!.activitiesGenerated, status.progress!.processedEvents);
});

test('invalid specs and a missing policy name end Failed with a message naming the problem', async (t) => {
  const cases: [string, ReindexJobSpec, RegExp][] = [
    ['bad-order', spec({ startTime: iso(BASE + HOUR), endTime: iso(BASE) }), /startTime|endTime/],
    ['bad-retention', spec({ startTime: 'now-90d' }), /startTime.*retention|retention/],
    ['bad-selectors', { ...spec(range(0, 1)), policySelector: { names: ['deployments'], matchLabels: { a: 'b' } } }, /policySelector/],
    ['bad-batch', spec(range(0, 1), { batchSize: 50 }), /batchSize/],
    ['bad-relative', spec({ startTime: 'now-3fortnights' }), /startTime/],
    ['bad-policy', { ...spec(range(0, 1)), policySelector: { names: ['no-such-policy'] } }, /no-such-policy/],
  ];
  await controllerFor(t, cases.map(([name]) => name));
  for (const [name, jobSpec] of cases) await createJob(name, jobSpec);
  for (const [name, , problem] of cases) {
    const status = (await waitPhase(name, 'Failed')).status!;
    assert.match(status.message ?? '', problem, `${name}: ${status.message}`);
  }
  assert.deepEqual(broker.indexes('bad-policy'), []);
});

async function seed(client: ClickHouseClient): Promise<void> {
  const audit: { event_json: string }[] = [];
  for (let i = 0; i < 3 * AUDIT_PER_HOUR; i++) {
    const at = iso(BASE + Math.floor((i * HOUR) / AUDIT_PER_HOUR));
    audit.push({ event_json: JSON.stringify(deploymentUpdate(`audit-${i}`, at, `web-${i % 7}`)) });
  }
  for (let i = 0; i < MALFORMED; i++) {
    const at = iso(BASE + 4 * HOUR + i * 1000);
    audit.push({ event_json: `{"auditID":"broken-${i}","requestReceivedTimestamp":"${at}", "verb": ` });
  }
  const events: { event_json: string }[] = [];
  for (let i = 0; i < EVENTS; i++) {
    events.push({ event_json: JSON.stringify(k8sEvent(`event-${i}`, iso(BASE + Math.floor((i * HOUR) / EVENTS) + 500))) });
  }
  await client.insert({ table: DEFAULT_TABLES.auditLogs, values: audit, format: 'JSONEachRow' });
  await client.insert({ table: DEFAULT_TABLES.k8sEvents, values: events, format: 'JSONEachRow' });
}

function k8sEvent(uid: string, at: string) {
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: `web.${uid}`, namespace: 'default', uid, creationTimestamp: at },
    eventTime: at,
    reportingController: 'deployment-controller',
    reportingInstance: 'kube-controller-manager',
    action: 'ScalingReplicaSet',
    reason: 'ScalingReplicaSet',
    note: 'Scaled up replica set web-abc to 3',
    type: 'Normal',
    regarding: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'web', uid: 'web-uid' },
  };
}

/** An ActivityPolicy as the Activity system's controller leaves it: Ready=True unless told otherwise. */
async function createPolicy(
  name = 'deployments',
  auditRule = { name: 'updated', match: "audit.verb == 'update'", summary: '{{ actor }} updated deployment {{ audit.objectRef.name }}' },
  { ready = 'True', labels }: { ready?: 'True' | 'False'; labels?: Record<string, string> } = {},
): Promise<void> {
  const ref = { group: GROUP, version: VERSION, plural: 'activitypolicies' };
  await custom.createClusterCustomObject({
    ...ref,
    body: {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: 'ActivityPolicy',
      metadata: { name, labels },
      spec: {
        resource: { apiGroup: 'apps', kind: 'Deployment' },
        auditRules: [auditRule],
        eventRules: [{ name: 'scaled', match: "event.reason == 'ScalingReplicaSet'", summary: '{{ event.note }}' }],
      },
    },
  });
  const condition = { type: 'Ready', status: ready, reason: ready === 'True' ? 'Compiled' : 'InvalidCEL', message: ready === 'True' ? '' : 'rule updated does not compile', lastTransitionTime: new Date().toISOString() };
  await custom.patchClusterCustomObjectStatus({ ...ref, name, body: { status: { conditions: [condition] } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
}
