import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startKubeApiServer } from '../local/kube-api-server.js';
import { kubeJobSource } from '../status-page/kube-job-source.js';
import { encodePlanWindows, printJobPlan } from '../shared/contracts/job-plan.js';
import { printEmissionRecord } from '../shared/contracts/emission-record.js';
import { startStatusPage } from '../status-page/start-status-page.js';

const JOBS = '/apis/activity.miloapis.com/v1alpha1/reindexjobs';
const windows = [0, 1, 2, 3].map((index) => ({
  index,
  source: index < 2 ? 'audit' : 'event',
  from: `2025-03-01T0${index % 2}:00:00.000Z`,
  to: `2025-03-01T0${(index % 2) + 1}:00:00.000Z`,
  expectedEvents: 100,
}));

async function kubeWithJob(t: { after: (fn: () => Promise<void>) => void }) {
  const kube = await startKubeApiServer();
  t.after(() => kube.close());
  const call = async (method: string, path: string, body: unknown, type = 'application/json') => {
    const res = await fetch(kube.url + path, { method, headers: { 'content-type': type }, body: JSON.stringify(body) });
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${await res.clone().text()}`);
    return res.json();
  };
  const job = await call('POST', JOBS, {
    apiVersion: 'activity.miloapis.com/v1alpha1',
    kind: 'ReindexJob',
    metadata: { name: 'march' },
    spec: { timeRange: { startTime: '2025-03-01T00:00:00Z', endTime: '2025-03-01T02:00:00Z' } },
  });
  await call('PATCH', `${JOBS}/march/status`, {
    status: { phase: 'Running', windows: { total: 4, completed: 1, failed: 1, completedRanges: '0', failedRanges: '2' } },
  }, 'application/merge-patch+json');
  const plan = (jobUid: string) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'reindexjob-march' },
    data: {
      'plan.json': printJobPlan({
        jobUid,
        resolvedTimeRange: { startTime: windows[0].from, endTime: windows[1].to },
        windows: encodePlanWindows({ startTime: windows[0].from, endTime: windows[1].to }, windows as Parameters<typeof encodePlanWindows>[1]),
        policies: [],
        discovery: {},
        fixedSpec: { timeRange: { startTime: windows[0].from }, batchSize: 1000, dryRun: false },
      }),
    },
  });
  const emission = (jobUid: string) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'reindexjob-march-emission' },
    data: { 'emission.json': printEmissionRecord({ jobUid, next: 3, last: { index: 2, at: 3 }, inFlight: [[1, 2, 1]] }) },
  });
  const event = (name: string, regarding: object, reason: string, note: string, type = 'Normal') => call('POST', '/apis/events.k8s.io/v1/namespaces/default/events', {
    apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name }, eventTime: '2025-03-01T10:00:00.000000Z',
    reportingController: 'test', reportingInstance: 'test', action: reason, reason, note, type, regarding,
  });
  return { kube, job, call, plan, emission, event };
}

test('reads jobs, the plan ConfigMap, emitted windows and Events through the Kubernetes API', async (t) => {
  const { kube, job, call, plan, emission, event } = await kubeWithJob(t);
  await call('POST', '/api/v1/namespaces/reindex-system/configmaps', plan(job.metadata.uid));
  await call('POST', '/api/v1/namespaces/reindex-system/configmaps', emission(job.metadata.uid));
  await event('march.1', { apiVersion: 'activity.miloapis.com/v1alpha1', kind: 'ReindexJob', name: 'march', uid: job.metadata.uid }, 'WindowFailed', 'Window 2 failed: DeadLetter: NATS unreachable', 'Warning');
  await event('other.1', { apiVersion: 'activity.miloapis.com/v1alpha1', kind: 'ReindexJob', name: 'april' }, 'Started', 'about another job');
  await event('pod.1', { apiVersion: 'v1', kind: 'Pod', name: 'march' }, 'Pulled', 'a pod that shares the name');
  const source = kubeJobSource(kube.kubeConfig(), { namespace: 'reindex-system' });

  assert.deepEqual((await source.listJobs()).map((j) => j.metadata.name), ['march']);
  assert.equal((await source.getJob('march'))?.status?.phase, 'Running');
  assert.equal(await source.getJob('nope'), undefined);
  assert.deepEqual(await source.getPlan('march'), windows);
  assert.deepEqual(await source.listEmitted!('march'), [0, 1, 2, 1]);
  assert.deepEqual(await source.listEvents('march'), [
    { type: 'Warning', reason: 'WindowFailed', message: 'Window 2 failed: DeadLetter: NATS unreachable', time: '2025-03-01T10:00:00.000Z' },
  ]);

  // The page over it: window 1 was emitted and is unanswered, so it is in flight.
  const page = await startStatusPage(source);
  t.after(() => page.close());
  const body = await (await fetch(new URL('api/jobs/march', page.url))).json();
  const states = body.job.strips.flatMap((s: { windows: { state: string }[] }) => s.windows.map((w) => w.state));
  assert.deepEqual(states, ['done', 'inflight', 'failed', 'pending']);
  assert.match(body.job.failedWindows[0].reason, /NATS unreachable/);
});

test('ignores a plan left by an earlier job with the same name, and a job without a plan', async (t) => {
  const { kube, call, plan } = await kubeWithJob(t);
  const source = kubeJobSource(kube.kubeConfig(), { namespace: 'reindex-system' });
  await source.getJob('march');
  assert.equal(await source.getPlan('march'), undefined);
  assert.equal(await source.listEmitted!('march'), undefined);
  await call('POST', '/api/v1/namespaces/reindex-system/configmaps', plan('uid-of-an-older-job'));
  await new Promise((resolve) => setTimeout(resolve, 600)); // past the ConfigMap reuse
  assert.equal(await source.getPlan('march'), undefined);
});

test('the page only reads: it sends no writes to the Kubernetes API', async (t) => {
  const { kube, job, call, plan } = await kubeWithJob(t);
  await call('POST', '/api/v1/namespaces/reindex-system/configmaps', plan(job.metadata.uid));
  const before = kube.requests.length;
  const page = await startStatusPage(kubeJobSource(kube.kubeConfig(), { namespace: 'reindex-system' }));
  t.after(() => page.close());
  await (await fetch(new URL('api/jobs', page.url))).json();
  await (await fetch(new URL('api/jobs/march', page.url))).json();
  const made = kube.requests.slice(before);
  assert.ok(made.length >= 4);
  assert.deepEqual([...new Set(made.map((r) => r.verb))].sort(), ['get', 'list']);
});
