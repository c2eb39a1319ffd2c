// The aggregator over real HTTP: real CloudEvents (binary and structured)
// into the Hono app, status written to the local Kubernetes API server
// through @kubernetes/client-node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CloudEvent, HTTP } from 'cloudevents';
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { startKubeApiServer, type KubeApiServer } from '../local/kube-api-server.js';
import { buildAggregatorDeps } from '../functions/aggregator/build-aggregator-deps.js';
import { startAggregator } from '../functions/aggregator/start-aggregator.js';
import { silentLogger } from '../shared/log.js';
import { WINDOW_COMPLETED, WINDOW_FAILED, WINDOW_FUNCTION_SOURCE, WINDOW_REQUESTED, EXT_JOB, EXT_WINDOW, resultId, requestedId, controllerSource, windowSubject } from '../shared/contracts/cloud-event-types.js';
import type { WindowCompleted } from '../shared/contracts/window-completed.js';
import type { ReindexJob, ReindexJobStatus } from '../shared/api/reindex-job.js';
import { signEvent } from '../shared/signing/event-signature.js';
import { TEST_SIGNING_KEY } from './window-function-fixtures.js';

const JOBS = { group: 'activity.miloapis.com', version: 'v1alpha1', plural: 'reindexjobs' };
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

interface Stack {
  kube: KubeApiServer;
  jobs: CustomObjectsApi;
  url: string;
}

// Results posted one after another wait for the write interval each: keep it short unless coalescing is under test.
async function stack(t: { after(fn: () => Promise<void>): void }, statusWriteIntervalMs = 20): Promise<Stack> {
  const kube = await startKubeApiServer();
  const kubeConfig = kube.kubeConfig();
  const aggregator = await startAggregator(buildAggregatorDeps({ kubeConfig, log: silentLogger, signingKey: TEST_SIGNING_KEY, statusWriteIntervalMs }));
  t.after(async () => {
    await aggregator.close();
    await kube.close();
  });
  return { kube, jobs: kubeConfig.makeApiClient(CustomObjectsApi), url: aggregator.url };
}

/** A job as the controller leaves it once planned: Running, totals known. */
async function runningJob(s: Stack, name: string, windows: number, config: object = {}): Promise<ReindexJob> {
  const created = await s.jobs.createClusterCustomObject({ ...JOBS, body: { apiVersion: 'activity.miloapis.com/v1alpha1', kind: 'ReindexJob', metadata: { name }, spec: { timeRange: { startTime: 'now-1h' }, config } } });
  const audit = Math.ceil(windows / 2);
  const status: ReindexJobStatus = {
    phase: 'Running',
    startedAt: new Date(Date.now() - 10_000).toISOString(),
    progress: { totalEvents: windows * 100, processedEvents: 0, activitiesGenerated: 0, errors: 0, currentBatch: 0, totalBatches: windows, percent: 0 },
    windows: { total: windows, completed: 0, failed: 0, completedRanges: '', failedRanges: '', bySource: { audit: { total: audit, completed: 0, failed: 0 }, event: { total: windows - audit, completed: 0, failed: 0 } } },
    conditions: [{ type: 'Ready', status: 'False', reason: 'Progressing', message: 'Started', lastTransitionTime: new Date().toISOString() }],
  };
  await s.jobs.patchClusterCustomObjectStatus({ ...JOBS, name, body: { status } }, MERGE);
  return created as ReindexJob;
}

function completedEvent(job: ReindexJob, index: number, windows: number, extra: Partial<WindowCompleted> = {}): CloudEvent<WindowCompleted> {
  const source = index < Math.ceil(windows / 2) ? 'audit' : 'event';
  return new CloudEvent<WindowCompleted>({
    type: WINDOW_COMPLETED,
    source: WINDOW_FUNCTION_SOURCE,
    id: resultId(job.metadata.uid!, index),
    subject: windowSubject(job.metadata.name, index),
    [EXT_JOB]: job.metadata.name,
    [EXT_WINDOW]: index,
    datacontenttype: 'application/json',
    data: {
      job: { name: job.metadata.name, uid: job.metadata.uid!, generation: 1 },
      window: { index, source },
      processedEvents: 100,
      activitiesGenerated: 90,
      errors: 0,
      errorSamples: [],
      durationMs: 12,
      ...extra,
    },
  });
}

/** As the window function (results) or the controller (dead-lettered windows) sign them. */
const signedBinary = (event: CloudEvent<unknown>) => HTTP.binary(signEvent(event, TEST_SIGNING_KEY));
const signedStructured = (event: CloudEvent<unknown>) => HTTP.structured(signEvent(event, TEST_SIGNING_KEY));

async function post(url: string, message: { headers: Record<string, unknown>; body: unknown }): Promise<Response> {
  return fetch(url, { method: 'POST', headers: message.headers as Record<string, string>, body: message.body as string });
}

const getJob = async (s: Stack, name: string) => (await s.jobs.getClusterCustomObject({ ...JOBS, name })) as ReindexJob;
const eventsAbout = (s: Stack, name: string) => s.kube.listObjects('events.k8s.io', 'events', 'default').filter((e) => e.regarding?.name === name);

test('folds results sent in binary and structured mode into status, and answers 200 with no reply event', async (t) => {
  const s = await stack(t);
  const job = await runningJob(s, 'modes', 4);
  const binary = await post(s.url, signedBinary(completedEvent(job, 0, 4)));
  assert.equal(binary.status, 200);
  assert.equal(await binary.text(), '');
  assert.equal(binary.headers.get('ce-type'), null);
  const structured = await post(s.url, signedStructured(completedEvent(job, 3, 4)));
  assert.equal(structured.status, 200);
  const status = (await getJob(s, 'modes')).status!;
  assert.equal(status.windows!.completedRanges, '0,3');
  assert.deepEqual(status.windows!.bySource, { audit: { total: 2, completed: 1, failed: 0 }, event: { total: 2, completed: 1, failed: 0 } });
  assert.equal(status.progress!.processedEvents, 200);
  assert.equal(status.progress!.percent, 50);
  assert.ok(status.eventsPerSecond! > 0);
  assert.ok(Date.parse(status.estimatedCompletionTime!) > Date.now());
});

test('counts a result delivered twice once', async (t) => {
  const s = await stack(t);
  const job = await runningJob(s, 'twice', 4);
  for (let i = 0; i < 2; i++) assert.equal((await post(s.url, signedBinary(completedEvent(job, 1, 4)))).status, 200);
  const status = (await getJob(s, 'twice')).status!;
  assert.equal(status.windows!.completed, 1);
  assert.equal(status.progress!.processedEvents, 100);
});

test('counts every one of many results arriving at once, in a few coalesced status writes without conflicts', async (t) => {
  const s = await stack(t, 1000);
  const windows = 64;
  const job = await runningJob(s, 'race', windows);
  const before = s.kube.requests.length;
  const answers = await Promise.all(Array.from({ length: windows }, (_, i) => post(s.url, signedBinary(completedEvent(job, i, windows)))));
  assert.deepEqual(answers.map((a) => a.status), Array(windows).fill(200));
  const status = (await getJob(s, 'race')).status!;
  assert.equal(status.windows!.completed, windows);
  assert.equal(status.windows!.completedRanges, `0-${windows - 1}`);
  assert.equal(status.progress!.processedEvents, windows * 100);
  assert.equal(status.phase, 'Succeeded');
  const patches = s.kube.requests.slice(before).filter((r) => r.verb === 'patch' && r.subresource === 'status');
  assert.ok(patches.length <= windows / 8, `${patches.length} status patches for ${windows} results`);
  assert.deepEqual(patches.filter((r) => r.code === 409), [], 'one writer per job never conflicts with itself');
  assert.deepEqual(eventsAbout(s, 'race').filter((e) => e.reason === 'Completed').length, 1);
});

test('carries a job to Succeeded with exact totals, conditions and its Events', async (t) => {
  const s = await stack(t);
  const job = await runningJob(s, 'whole', 10);
  for (let i = 0; i < 10; i++) assert.equal((await post(s.url, signedBinary(completedEvent(job, i, 10, { errors: i === 3 ? 2 : 0, errorSamples: i === 3 ? [{ originId: 'a1', policy: 'p', rule: 'r', message: 'no such key' }] : [] })))).status, 200);
  const final = await getJob(s, 'whole');
  const status = final.status!;
  assert.equal(status.phase, 'Succeeded');
  const { recent: _recent, ...counts } = status.progress!;
  assert.deepEqual(counts, { totalEvents: 1000, processedEvents: 1000, activitiesGenerated: 900, errors: 2, currentBatch: 10, totalBatches: 10, percent: 100 });
  assert.equal(status.estimatedCompletionTime, status.completedAt);
  assert.deepEqual(status.errorSamples, [{ originId: 'a1', policy: 'p', rule: 'r', message: 'no such key', count: 1 }]);
  assert.deepEqual(status.conditions!.map((c) => [c.type, c.status]), [['Ready', 'True'], ['AuditLogsProcessed', 'True'], ['EventsProcessed', 'True']]);
  const events = eventsAbout(s, 'whole');
  assert.deepEqual(events.map((e) => e.reason), [...Array(9).fill('Progress'), 'Completed']);
  assert.equal(events[9].type, 'Normal');
  assert.equal(events[9].regarding.uid, job.metadata.uid);
  assert.match(events[9].note, /1000 events into 900 activities in 10 windows \(2 errors\)/);
});

test('fails the job on window.failed and on a dead letter, naming the window', async (t) => {
  const s = await stack(t);
  const failedJob = await runningJob(s, 'failing', 4);
  const failed = new CloudEvent({
    type: WINDOW_FAILED, source: WINDOW_FUNCTION_SOURCE, id: resultId(failedJob.metadata.uid!, 2), datacontenttype: 'application/json',
    data: { job: { name: 'failing', uid: failedJob.metadata.uid!, generation: 1 }, window: { index: 2, source: 'event' }, reason: 'Unavailable', message: 'ClickHouse did not answer' },
  });
  assert.equal((await post(s.url, signedBinary(failed))).status, 200);
  const status = (await getJob(s, 'failing')).status!;
  assert.equal(status.phase, 'Failed');
  assert.match(status.message!, /window 2 \(event\) failed: Unavailable: ClickHouse did not answer/);
  assert.equal(status.windows!.failedRanges, '2');
  assert.deepEqual(eventsAbout(s, 'failing').map((e) => [e.type, e.reason]), [['Warning', 'Failed']]);

  const deadJob = await runningJob(s, 'dead', 4);
  const dead = new CloudEvent({
    type: WINDOW_REQUESTED, source: controllerSource('dead'), id: requestedId(deadJob.metadata.uid!, 1), datacontenttype: 'application/json',
    knativeerrorcode: '503', knativeerrordest: 'http://window.reindex.svc', knativeerrordata: Buffer.from('NATS unreachable').toString('base64'),
    data: {
      job: { name: 'dead', uid: deadJob.metadata.uid!, generation: 1 },
      window: { index: 1, source: 'audit', from: '2026-05-01T00:00:00.000Z', to: '2026-05-01T01:00:00.000Z', expectedEvents: 100 },
      batchSize: 100, dryRun: false, rateLimit: 25, policies: [], discovery: {},
    },
  });
  assert.equal((await post(s.url, signedBinary(dead))).status, 200);
  const deadStatus = (await getJob(s, 'dead')).status!;
  assert.equal(deadStatus.phase, 'Failed');
  assert.match(deadStatus.message!, /window 1 \(audit, 2026-05-01T00:00:00.000Z to 2026-05-01T01:00:00.000Z\) was dead-lettered after its retries: HTTP 503: NATS unreachable/);

  // Windows still in flight when the job failed keep counting: exact totals, every failed window named.
  assert.equal((await post(s.url, signedBinary(completedEvent(deadJob, 0, 4)))).status, 200);
  const failedAgain = new CloudEvent({
    type: WINDOW_FAILED, source: WINDOW_FUNCTION_SOURCE, id: resultId(deadJob.metadata.uid!, 3), datacontenttype: 'application/json',
    data: { job: { name: 'dead', uid: deadJob.metadata.uid!, generation: 1 }, window: { index: 3, source: 'event' }, reason: 'Unavailable', message: 'NATS unreachable' },
  });
  assert.equal((await post(s.url, signedBinary(failedAgain))).status, 200);
  assert.equal((await post(s.url, signedBinary(completedEvent(deadJob, 2, 4)))).status, 200);
  const final = (await getJob(s, 'dead')).status!;
  assert.deepEqual([final.phase, final.windows!.completed, final.windows!.failed, final.windows!.failedRanges, final.progress!.processedEvents], ['Failed', 2, 2, '1,3', 200]);
  assert.match(final.message!, /^Failed: 2 of 4 windows failed \(windows 1,3\); all 4 windows answered, 2 completed; latest: window 3 \(event\) failed: Unavailable: NATS unreachable$/);
  assert.deepEqual(eventsAbout(s, 'dead').map((e) => [e.type, e.reason]), [['Warning', 'Failed'], ['Warning', 'WindowFailed']]);
});

test('fails the job on a dead letter the window function refused as invalid (400), so the job does not wait forever', async (t) => {
  const s = await stack(t);
  const job = await runningJob(s, 'refused', 4);
  // batchSize 5 fails the WindowRequested schema: the window function answered 400 and the Broker dead-lettered it at once.
  const refused = new CloudEvent({
    type: WINDOW_REQUESTED, source: controllerSource('refused'), id: requestedId(job.metadata.uid!, 2), subject: windowSubject('refused', 2),
    [EXT_JOB]: 'refused', [EXT_WINDOW]: 2, datacontenttype: 'application/json',
    knativeerrorcode: '400', knativeerrordest: 'http://window.reindex.svc', knativeerrordata: Buffer.from('{"error":"invalid data: batchSize: Too small"}').toString('base64'),
    data: {
      job: { name: 'refused', uid: job.metadata.uid!, generation: 1 },
      window: { index: 2, source: 'event', from: '2026-05-01T00:00:00.000Z', to: '2026-05-01T01:00:00.000Z', expectedEvents: 100 },
      batchSize: 5, dryRun: false, rateLimit: 25, policies: [], discovery: {},
    },
  });
  assert.equal((await post(s.url, signedBinary(refused))).status, 200);
  const status = (await getJob(s, 'refused')).status!;
  assert.equal(status.phase, 'Failed');
  assert.equal(status.windows!.failedRanges, '2');
  assert.deepEqual(status.windows!.bySource!.event, { total: 2, completed: 0, failed: 1 });
  assert.match(status.message!, /window 2 \(event, .*\) was dead-lettered after its retries: HTTP 400: .*batchSize/);
  assert.deepEqual(eventsAbout(s, 'refused').map((e) => [e.type, e.reason]), [['Warning', 'Failed']]);
  const metrics = await (await fetch(`${s.url}/metrics`)).text();
  assert.match(metrics, /activity_reindex_dead_letters_total\{source="event"\} 1/);
});

test('fails the job when the maxErrors budget is exceeded', async (t) => {
  const s = await stack(t);
  const job = await runningJob(s, 'budget', 4, { maxErrors: 3 });
  await post(s.url, signedBinary(completedEvent(job, 0, 4, { errors: 4 })));
  const status = (await getJob(s, 'budget')).status!;
  assert.equal(status.phase, 'Failed');
  assert.match(status.message!, /4 errors exceed the maxErrors budget of 3/);
});

test('drops results for another job uid and for a job that is gone', async (t) => {
  const s = await stack(t);
  const job = await runningJob(s, 'uid', 4);
  const stranger = { ...job, metadata: { ...job.metadata, uid: 'someone-else' } };
  assert.equal((await post(s.url, signedBinary(completedEvent(stranger, 0, 4)))).status, 200);
  assert.equal((await getJob(s, 'uid')).status!.windows!.completed, 0);
  const ghost = { ...job, metadata: { ...job.metadata, name: 'ghost' } };
  assert.equal((await post(s.url, signedBinary(completedEvent(ghost, 0, 4)))).status, 200);
  const metrics = await (await fetch(`${s.url}/metrics`)).text();
  assert.match(metrics, /activity_reindex_results_dropped_total\{reason="other-job"\} 1/);
  assert.match(metrics, /activity_reindex_results_dropped_total\{reason="job-gone"\} 1/);
});

test('answers 400 to events it can never fold, so the Broker does not retry them', async (t) => {
  const s = await stack(t);
  const job = await runningJob(s, 'bad', 4);
  const bad = completedEvent(job, 0, 4, { processedEvents: -5 });
  const res = await post(s.url, signedBinary(bad));
  assert.equal(res.status, 400);
  assert.match(((await res.json()) as { error: string }).error, /processedEvents/);
  const notADeadLetter = new CloudEvent({ type: WINDOW_REQUESTED, source: controllerSource('bad'), id: 'x', data: {} });
  assert.equal((await post(s.url, signedBinary(notADeadLetter))).status, 400);
  assert.equal((await fetch(s.url, { method: 'POST', body: 'hello' })).status, 400);
  assert.equal((await getJob(s, 'bad')).status!.windows!.completed, 0);
  assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
});

test('a result or dead letter without a valid signature is refused 401 and changes nothing; the signed one is folded', async (t) => {
  const s = await stack(t);
  const job = await runningJob(s, 'guarded', 4);
  const before = (await getJob(s, 'guarded')).status;
  const result = completedEvent(job, 0, 4);
  const deadLetter = new CloudEvent({
    type: WINDOW_REQUESTED, source: controllerSource('guarded'), id: requestedId(job.metadata.uid!, 1), subject: windowSubject('guarded', 1),
    datacontenttype: 'application/json', knativeerrorcode: '401', knativeerrordest: 'http://window.reindex.svc',
    data: { job: { name: 'guarded', uid: job.metadata.uid!, generation: 1 }, window: { index: 1, source: 'audit', from: '2026-05-01T00:00:00.000Z', to: '2026-05-01T01:00:00.000Z', expectedEvents: 100 }, batchSize: 100, dryRun: false, rateLimit: 25, policies: [], discovery: {} },
  });
  const forgeries: [string, { headers: Record<string, unknown>; body: unknown }][] = [
    ['unsigned result', HTTP.binary(result)],
    ['result signed with another key', HTTP.binary(signEvent(result, 'another-key-of-at-least-32-characters!'))],
    ['tampered result', HTTP.structured(signEvent(result, TEST_SIGNING_KEY).cloneWith({ data: { ...result.data!, activitiesGenerated: 1_000_000 } }))],
    ['unsigned dead letter', HTTP.binary(deadLetter)],
  ];
  for (const [name, message] of forgeries) {
    const res = await post(s.url, message);
    assert.equal(res.status, 401, name);
  }
  assert.deepEqual((await getJob(s, 'guarded')).status, before, 'no forged event changed the status');
  assert.deepEqual(eventsAbout(s, 'guarded'), []);
  const metrics = await (await fetch(`${s.url}/metrics`)).text();
  assert.match(metrics, /activity_reindex_unauthorized_events_total\{reason="missing"\} 2/);
  assert.match(metrics, /activity_reindex_unauthorized_events_total\{reason="invalid"\} 2/);

  assert.equal((await post(s.url, signedBinary(result))).status, 200);
  assert.equal((await getJob(s, 'guarded')).status!.windows!.completed, 1);
});
