import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoordinationV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, Watch, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { startKubeApiServer, type KubeApiServer } from './kube-api-server.js';

const JOBS = { group: 'activity.miloapis.com', version: 'v1alpha1', plural: 'reindexjobs' };
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const STRATEGIC = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

async function started(t: { after(fn: () => Promise<void>): void }): Promise<{ server: KubeApiServer; kc: KubeConfig; jobs: CustomObjectsApi; core: CoreV1Api }> {
  const server = await startKubeApiServer();
  t.after(() => server.close());
  const kc = server.kubeConfig();
  return { server, kc, jobs: kc.makeApiClient(CustomObjectsApi), core: kc.makeApiClient(CoreV1Api) };
}

function job(name: string, extra: object = {}) {
  return { apiVersion: 'activity.miloapis.com/v1alpha1', kind: 'ReindexJob', metadata: { name }, spec: { timeRange: { startTime: 'now-1h' } }, ...extra };
}

async function rejected(p: Promise<unknown>): Promise<{ code: number; body: any }> {
  try {
    await p;
  } catch (err: any) {
    return { code: err.code, body: typeof err.body === 'string' ? JSON.parse(err.body) : err.body };
  }
  assert.fail('expected the request to be rejected');
}

test('creates a custom resource with uid, generation 1, a resourceVersion and the CRD defaults', async (t) => {
  const { jobs } = await started(t);
  const created = await jobs.createClusterCustomObject({ ...JOBS, body: job('a') });
  assert.match(created.metadata.uid, /^[0-9a-f-]{36}$/);
  assert.equal(created.metadata.generation, 1);
  assert.match(created.metadata.resourceVersion, /^\d+$/);
  assert.ok(created.metadata.creationTimestamp);
  assert.deepEqual(created.spec.config, { batchSize: 1000, rateLimit: 100, dryRun: false, parallelism: 4 });
  const again = await rejected(jobs.createClusterCustomObject({ ...JOBS, body: job('a') }));
  assert.equal(again.code, 409);
  assert.equal(again.body.reason, 'AlreadyExists');
});

test('rejects a spec that breaks the CRD schema with 422 naming the fields', async (t) => {
  const { jobs } = await started(t);
  const res = await rejected(jobs.createClusterCustomObject({ ...JOBS, body: { ...job('bad'), spec: { timeRange: { startTime: '2026-01-02T00:00:00Z', endTime: '2026-01-01T00:00:00Z' }, config: { batchSize: 50 }, policySelector: { names: ['p'], matchLabels: { a: 'b' } } } } }));
  assert.equal(res.code, 422);
  assert.equal(res.body.kind, 'Status');
  assert.deepEqual(res.body.details.causes.map((c: { field: string }) => c.field).sort(), ['spec.config.batchSize', 'spec.policySelector', 'spec.timeRange']);
  assert.match(res.body.message, /mutually exclusive/);
  assert.match(res.body.message, /startTime must be before/);
});

test('answers 404 as a Status for a missing object', async (t) => {
  const { jobs, core } = await started(t);
  const res = await rejected(jobs.getClusterCustomObject({ ...JOBS, name: 'nope' }));
  assert.equal(res.code, 404);
  assert.equal(res.body.reason, 'NotFound');
  assert.equal((await rejected(core.readNamespacedConfigMap({ namespace: 'default', name: 'nope' }))).code, 404);
});

test('writes status only through the status subresource, and bumps generation only on spec changes', async (t) => {
  const { jobs } = await started(t);
  await jobs.createClusterCustomObject({ ...JOBS, body: job('s') });
  const viaStatus = await jobs.patchClusterCustomObjectStatus({ ...JOBS, name: 's', body: { spec: { suspend: true }, status: { phase: 'Running' } } }, MERGE);
  assert.equal(viaStatus.status.phase, 'Running');
  assert.equal(viaStatus.spec.suspend, false, 'spec changes are ignored on /status');
  assert.equal(viaStatus.metadata.generation, 1);
  const viaMain = await jobs.patchClusterCustomObject({ ...JOBS, name: 's', body: { spec: { suspend: true }, status: { phase: 'Failed' } } }, MERGE);
  assert.equal(viaMain.spec.suspend, true);
  assert.equal(viaMain.status.phase, 'Running', 'status changes are ignored on the main resource');
  assert.equal(viaMain.metadata.generation, 2);
  const labelled = await jobs.patchClusterCustomObject({ ...JOBS, name: 's', body: { metadata: { labels: { team: 'a' } } } }, MERGE);
  assert.equal(labelled.metadata.generation, 2, 'metadata changes do not bump generation');
  assert.ok(Number(labelled.metadata.resourceVersion) > Number(viaMain.metadata.resourceVersion));
});

test('answers 409 to an update or a merge patch carrying a stale resourceVersion', async (t) => {
  const { jobs } = await started(t);
  const created = await jobs.createClusterCustomObject({ ...JOBS, body: job('c') });
  const stale = created.metadata.resourceVersion;
  await jobs.patchClusterCustomObjectStatus({ ...JOBS, name: 'c', body: { metadata: { resourceVersion: stale }, status: { phase: 'Running' } } }, MERGE);
  const patch = await rejected(jobs.patchClusterCustomObjectStatus({ ...JOBS, name: 'c', body: { metadata: { resourceVersion: stale }, status: { phase: 'Failed' } } }, MERGE));
  assert.equal(patch.code, 409);
  assert.equal(patch.body.reason, 'Conflict');
  const put = await rejected(jobs.replaceClusterCustomObject({ ...JOBS, name: 'c', body: { ...created, spec: { ...created.spec, suspend: true } } }));
  assert.equal(put.code, 409);
  const current = await jobs.getClusterCustomObject({ ...JOBS, name: 'c' });
  assert.equal(current.status.phase, 'Running');
  assert.equal(current.spec.suspend, false);
});

test('accepts JSON patch (the client default), and refuses strategic merge patch for custom resources only', async (t) => {
  const { jobs, core } = await started(t);
  await jobs.createClusterCustomObject({ ...JOBS, body: job('p') });
  const patched = await jobs.patchClusterCustomObject({ ...JOBS, name: 'p', body: [{ op: 'replace', path: '/spec/config/rateLimit', value: 50 }] });
  assert.equal(patched.spec.config.rateLimit, 50);
  const refused = await rejected(jobs.patchClusterCustomObject({ ...JOBS, name: 'p', body: { spec: { suspend: true } } }, STRATEGIC));
  assert.equal(refused.code, 415);
  await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'cm' }, data: { a: '1' } } });
  const cm = await core.patchNamespacedConfigMap({ namespace: 'default', name: 'cm', body: { data: { b: '2' } } }, STRATEGIC);
  assert.deepEqual(cm.data, { a: '1', b: '2' });
});

test('lists by label selector with the list resourceVersion', async (t) => {
  const { jobs, core } = await started(t);
  await jobs.createClusterCustomObject({ ...JOBS, body: { ...job('x'), metadata: { name: 'x', labels: { team: 'a' } } } });
  await jobs.createClusterCustomObject({ ...JOBS, body: { ...job('y'), metadata: { name: 'y', labels: { team: 'b' } } } });
  const list = await jobs.listClusterCustomObject({ ...JOBS, labelSelector: 'team=a' });
  assert.deepEqual(list.items.map((i: any) => i.metadata.name), ['x']);
  assert.match(list.metadata.resourceVersion, /^\d+$/);
  assert.equal((await jobs.listClusterCustomObject({ ...JOBS, labelSelector: 'team in (a,b),!gone' })).items.length, 2);
  await core.createNamespacedConfigMap({ namespace: 'ns1', body: { metadata: { name: 'one' } } });
  await core.createNamespacedConfigMap({ namespace: 'ns2', body: { metadata: { name: 'two' } } });
  assert.equal((await core.listNamespacedConfigMap({ namespace: 'ns1' })).items.length, 1);
  assert.equal((await core.listConfigMapForAllNamespaces()).items.length, 2);
});

type Seen = { type: string; name?: string; phase?: string; code?: number };

function watchJobs(kc: KubeConfig, resourceVersion: string | undefined, seen: Seen[]): Promise<Error | null> {
  return new Promise((resolve) => {
    void new Watch(kc).watch('/apis/activity.miloapis.com/v1alpha1/reindexjobs', { resourceVersion, allowWatchBookmarks: true }, (type, obj) => {
      seen.push({ type, name: obj?.metadata?.name, phase: obj?.status?.phase, code: obj?.code });
    }, (err) => resolve(err));
  });
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 10));
  }
}

test('watches from a resourceVersion: replays what came after it, then streams changes and bookmarks', async (t) => {
  const { server, kc, jobs } = await started(t);
  await jobs.createClusterCustomObject({ ...JOBS, body: job('w1') });
  const { metadata } = await jobs.listClusterCustomObject({ ...JOBS });
  await jobs.createClusterCustomObject({ ...JOBS, body: job('w2') });
  const seen: Seen[] = [];
  const ended = watchJobs(kc, metadata.resourceVersion, seen);
  await until(() => seen.length === 1, 'the replayed ADDED');
  await jobs.patchClusterCustomObjectStatus({ ...JOBS, name: 'w1', body: { status: { phase: 'Running' } } }, MERGE);
  await jobs.deleteClusterCustomObject({ ...JOBS, name: 'w2' });
  server.sendBookmarks();
  await until(() => seen.length === 4, 'the live events');
  assert.deepEqual(seen, [
    { type: 'ADDED', name: 'w2', phase: undefined, code: undefined },
    { type: 'MODIFIED', name: 'w1', phase: 'Running', code: undefined },
    { type: 'DELETED', name: 'w2', phase: undefined, code: undefined },
    { type: 'BOOKMARK', name: undefined, phase: undefined, code: undefined },
  ]);
  server.closeWatches();
  assert.equal(await ended, null);
});

test('starts a watch without a resourceVersion with ADDED for every object', async (t) => {
  const { server, kc, jobs } = await started(t);
  await jobs.createClusterCustomObject({ ...JOBS, body: job('a1') });
  await jobs.createClusterCustomObject({ ...JOBS, body: job('a2') });
  const seen: Seen[] = [];
  const ended = watchJobs(kc, undefined, seen);
  await until(() => seen.length === 2, 'the initial ADDED events');
  assert.deepEqual(seen.map((s) => `${s.type} ${s.name}`), ['ADDED a1', 'ADDED a2']);
  server.closeWatches();
  await ended;
});

test('answers a watch from a compacted resourceVersion with a 410 ERROR event', async (t) => {
  const { server, kc, jobs } = await started(t);
  const created = await jobs.createClusterCustomObject({ ...JOBS, body: job('g') });
  await jobs.patchClusterCustomObjectStatus({ ...JOBS, name: 'g', body: { status: { phase: 'Running' } } }, MERGE);
  server.compact();
  const seen: Seen[] = [];
  await watchJobs(kc, created.metadata.resourceVersion, seen);
  assert.deepEqual(seen, [{ type: 'ERROR', name: undefined, phase: undefined, code: 410 }]);
});

test('keeps an object with finalizers until they are removed, then deletes it and what it owns', async (t) => {
  const { server, jobs, core } = await started(t);
  const owner = await jobs.createClusterCustomObject({ ...JOBS, body: { ...job('f'), metadata: { name: 'f', finalizers: ['activity.miloapis.com/stop'] } } });
  const ownerRef = { apiVersion: owner.apiVersion, kind: owner.kind, name: 'f', uid: owner.metadata.uid };
  await core.createNamespacedConfigMap({ namespace: 'reindex', body: { metadata: { name: 'plan-f', ownerReferences: [ownerRef] }, data: { plan: '[]' } } });
  await core.createNamespacedConfigMap({ namespace: 'reindex', body: { metadata: { name: 'unrelated' } } });
  const deleting = await jobs.deleteClusterCustomObject({ ...JOBS, name: 'f' });
  assert.ok(deleting.metadata.deletionTimestamp);
  assert.ok(server.getObject('activity.miloapis.com', 'reindexjobs', 'f'), 'kept while a finalizer remains');
  assert.ok(server.getObject('', 'configmaps', 'plan-f', 'reindex'));
  await jobs.patchClusterCustomObject({ ...JOBS, name: 'f', body: { metadata: { finalizers: null } } }, MERGE);
  assert.equal(server.getObject('activity.miloapis.com', 'reindexjobs', 'f'), undefined);
  assert.deepEqual(server.listObjects('', 'configmaps', 'reindex').map((c) => c.metadata.name), ['unrelated']);
});

test('serves discovery for core, built-in and custom groups', async (t) => {
  const { server } = await started(t);
  const get = async (path: string) => (await fetch(`${server.url}${path}`)).json() as Promise<any>;
  assert.deepEqual((await get('/api')).versions, ['v1']);
  const groups = (await get('/apis')).groups.map((g: any) => g.name);
  for (const g of ['apps', 'activity.miloapis.com', 'coordination.k8s.io', 'events.k8s.io']) assert.ok(groups.includes(g), g);
  const custom = await get('/apis/activity.miloapis.com/v1alpha1');
  assert.deepEqual(custom.resources.map((r: any) => r.name).sort(), ['activitypolicies', 'activitypolicies/status', 'reindexjobs', 'reindexjobs/status']);
  assert.equal(custom.resources.find((r: any) => r.name === 'reindexjobs').namespaced, false);
  assert.ok((await get('/api/v1')).resources.some((r: any) => r.name === 'configmaps' && r.kind === 'ConfigMap'));
  assert.ok((await get('/apis/apps/v1')).resources.some((r: any) => r.name === 'deployments' && r.kind === 'Deployment'));
});

test('logs each request as RBAC sees it', async (t) => {
  const { server, jobs, core } = await started(t);
  await jobs.createClusterCustomObject({ ...JOBS, body: job('r') });
  await jobs.getClusterCustomObject({ ...JOBS, name: 'r' });
  await jobs.patchClusterCustomObjectStatus({ ...JOBS, name: 'r', body: { status: { phase: 'Running' } } }, MERGE);
  await core.listNamespacedConfigMap({ namespace: 'ns' });
  assert.deepEqual(server.requests, [
    { verb: 'create', group: 'activity.miloapis.com', version: 'v1alpha1', resource: 'reindexjobs' },
    { verb: 'get', group: 'activity.miloapis.com', version: 'v1alpha1', resource: 'reindexjobs', name: 'r' },
    { verb: 'patch', group: 'activity.miloapis.com', version: 'v1alpha1', resource: 'reindexjobs', subresource: 'status', name: 'r' },
    { verb: 'list', group: '', version: 'v1', resource: 'configmaps', namespace: 'ns' },
  ]);
});

test('serves a CustomResourceDefinition created through the API', async (t) => {
  const { server, jobs } = await started(t);
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer', default: 3 } } } } } } }],
    },
  };
  const created = await fetch(`${server.url}/apis/apiextensions.k8s.io/v1/customresourcedefinitions`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(crd) });
  assert.equal(created.status, 201);
  const widget = await jobs.createNamespacedCustomObject({ group: 'example.com', version: 'v1', plural: 'widgets', namespace: 'ns', body: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: {} } });
  assert.equal(widget.spec.size, 3);
  assert.equal(widget.metadata.namespace, 'ns');
  const discovery = (await (await fetch(`${server.url}/apis/example.com/v1`)).json()) as { resources: { name: string }[] };
  assert.deepEqual(discovery.resources.map((r) => r.name), ['widgets']);
});

test('keeps Leases with optimistic concurrency, as leader election needs', async (t) => {
  const { server } = await started(t);
  const leases = server.kubeConfig().makeApiClient(CoordinationV1Api);
  const lease = await leases.createNamespacedLease({ namespace: 'reindex', body: { metadata: { name: 'controller' }, spec: { holderIdentity: 'a', leaseDurationSeconds: 15, renewTime: new Date() } } });
  const renewed = await leases.replaceNamespacedLease({ namespace: 'reindex', name: 'controller', body: { ...lease, spec: { ...lease.spec, renewTime: new Date() } } });
  assert.ok(Number(renewed.metadata!.resourceVersion) > Number(lease.metadata!.resourceVersion));
  const stolen = await rejected(leases.replaceNamespacedLease({ namespace: 'reindex', name: 'controller', body: { ...lease, spec: { ...lease.spec, holderIdentity: 'b' } } }));
  assert.equal(stolen.code, 409);
  assert.equal((await leases.readNamespacedLease({ namespace: 'reindex', name: 'controller' })).spec!.holderIdentity, 'a');
});

async function call(server: KubeApiServer, path: string, init: { method?: string; body?: unknown; type?: string; accept?: string } = {}): Promise<{ code: number; body: any; warnings: string | null }> {
  const res = await fetch(`${server.url}${path}`, {
    method: init.method ?? 'GET',
    headers: { 'Content-Type': init.type ?? 'application/json', Accept: init.accept ?? 'application/json' },
    ...(init.body !== undefined ? { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) } : {}),
  });
  return { code: res.status, body: await res.json(), warnings: res.headers.get('warning') };
}

const JOBS_PATH = '/apis/activity.miloapis.com/v1alpha1/reindexjobs';

test('answers kubectl Table requests with the CRD printer columns and ages', async (t) => {
  const { server } = await started(t);
  await call(server, JOBS_PATH, { method: 'POST', body: job('t') });
  const table = (await call(server, JOBS_PATH, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' })).body;
  assert.equal(table.kind, 'Table');
  assert.deepEqual(table.columnDefinitions.map((c: any) => c.name), ['Name', 'Phase', 'Progress', 'Time Range', 'Age']);
  assert.equal(table.rows.length, 1);
  assert.deepEqual(table.rows[0].cells.slice(0, 4), ['t', null, null, null]);
  assert.match(table.rows[0].cells[4], /^\d+s$/);
  assert.equal(table.rows[0].object.kind, 'PartialObjectMetadata');
});

test('dryRun=All validates and defaults a write but stores nothing', async (t) => {
  const { server } = await started(t);
  const dry = await call(server, `${JOBS_PATH}?dryRun=All`, { method: 'POST', body: job('d') });
  assert.equal(dry.code, 201);
  assert.equal(dry.body.spec.config.batchSize, 1000);
  assert.equal(server.getObject('activity.miloapis.com', 'reindexjobs', 'd'), undefined);
  const invalid = await call(server, `${JOBS_PATH}?dryRun=All`, { method: 'POST', body: job('d', { spec: { timeRange: { startTime: 'now-1h' }, config: { batchSize: 5 } } }) });
  assert.equal(invalid.code, 422);
  assert.equal(invalid.body.message, 'ReindexJob.activity.miloapis.com "d" is invalid: spec.config.batchSize: Invalid value: 5: spec.config.batchSize in body should be greater than or equal to 100');
});

test('prunes unknown fields: Strict refuses them, Warn names them in a Warning header, both drop them', async (t) => {
  const { server } = await started(t);
  const body = job('u', { spec: { timeRange: { startTime: 'now-1h' }, bogus: 1 } });
  const strict = await call(server, `${JOBS_PATH}?fieldValidation=Strict`, { method: 'POST', body });
  assert.equal(strict.code, 400);
  assert.equal(strict.body.message, 'ReindexJob in version "v1alpha1" cannot be handled as a ReindexJob: strict decoding error: unknown field "spec.bogus"');
  const warned = await call(server, JOBS_PATH, { method: 'POST', body });
  assert.equal(warned.code, 201);
  assert.equal(warned.warnings, '299 - "unknown field \\"spec.bogus\\""');
  assert.equal(warned.body.spec.bogus, undefined);
});

test('evaluates x-kubernetes-validations with the real server message', async (t) => {
  const { server } = await started(t);
  const res = await call(server, JOBS_PATH, { method: 'POST', body: job('c', { spec: { timeRange: { startTime: '2026-05-02T00:00:00Z', endTime: '2026-05-01T00:00:00Z' } } }) });
  assert.equal(res.code, 422);
  assert.equal(res.body.message, 'ReindexJob.activity.miloapis.com "c" is invalid: spec.timeRange: Invalid value: "object": timeRange.startTime must be before timeRange.endTime');
});

test('server-side apply creates, records managers, refuses a conflicting change unless forced, and removes fields it no longer names', async (t) => {
  const { server } = await started(t);
  const apply = (body: object, query = '') => call(server, `${JOBS_PATH}/s?fieldManager=ops${query}`, { method: 'PATCH', type: 'application/apply-patch+yaml', body });
  const intent = { apiVersion: 'activity.miloapis.com/v1alpha1', kind: 'ReindexJob', metadata: { name: 's' }, spec: { timeRange: { startTime: 'now-1h' }, ttlSecondsAfterFinished: 60, config: { rateLimit: 500 } } };
  assert.equal((await apply(intent)).code, 201);
  const patched = await call(server, `${JOBS_PATH}/s?fieldManager=editor`, { method: 'PATCH', type: 'application/merge-patch+json', body: { spec: { config: { rateLimit: 900 } } } });
  assert.deepEqual(patched.body.metadata.managedFields.map((m: any) => [m.manager, m.operation]), [['ops', 'Apply'], ['editor', 'Update']]);
  const conflict = await apply(intent);
  assert.equal(conflict.code, 409);
  assert.equal(conflict.body.message, 'Apply failed with 1 conflict: conflict with "editor" using activity.miloapis.com/v1alpha1: .spec.config.rateLimit');
  const forced = await apply({ ...intent, spec: { timeRange: { startTime: 'now-1h' }, config: { rateLimit: 500 } } }, '&force=true');
  assert.equal(forced.code, 200);
  assert.equal(forced.body.spec.config.rateLimit, 500);
  assert.equal(forced.body.spec.ttlSecondsAfterFinished, undefined, 'a field the manager no longer applies is removed');
  assert.deepEqual(forced.body.metadata.managedFields.map((m: any) => m.manager), ['ops']);
});

test('keeps one Event store behind core/v1 and events.k8s.io/v1, selectable by involvedObject.* and regarding.*', async (t) => {
  const { server } = await started(t);
  const regarding = { apiVersion: 'activity.miloapis.com/v1alpha1', kind: 'ReindexJob', name: 'j', uid: 'u1' };
  const created = await call(server, '/apis/events.k8s.io/v1/namespaces/default/events', { method: 'POST', body: { metadata: { name: 'e1' }, eventTime: '2026-01-01T00:00:00.123Z', reportingController: 'c', reportingInstance: 'i', action: 'Started', reason: 'Started', note: 'started', type: 'Normal', regarding } });
  assert.equal(created.code, 201);
  assert.equal(created.body.eventTime, '2026-01-01T00:00:00.123000Z');
  const core = await call(server, '/api/v1/events?fieldSelector=involvedObject.name%3Dj,involvedObject.namespace%3D,involvedObject.kind%3DReindexJob,involvedObject.uid%3Du1');
  assert.deepEqual(core.body.items.map((e: any) => [e.metadata.name, e.message, e.involvedObject.name, e.source.component]), [['e1', 'started', 'j', 'c']]);
  const v1 = await call(server, '/apis/events.k8s.io/v1/events?fieldSelector=regarding.name%3Dj');
  assert.deepEqual(v1.body.items.map((e: any) => [e.note, e.regarding.uid]), [['started', 'u1']]);
  assert.equal((await call(server, '/api/v1/events?fieldSelector=involvedObject.name%3Dother')).body.items.length, 0);
  const unsupported = await call(server, '/api/v1/events?fieldSelector=note%3Dx');
  assert.equal(unsupported.code, 400);
  assert.equal(unsupported.body.message, 'field label not supported: note');
  const custom = await call(server, `${JOBS_PATH}?fieldSelector=spec.suspend%3Dtrue`);
  assert.equal(custom.code, 400);
  assert.equal(custom.body.message, '"spec.suspend" is not a known field selector: only "metadata.name", "metadata.namespace"');
});

test('refuses an Event about a cluster-scoped object outside default or kube-system with the real server\'s 422', async (t) => {
  const { server } = await started(t);
  const regarding = { apiVersion: 'activity.miloapis.com/v1alpha1', kind: 'ReindexJob', name: 'j', uid: 'u1' };
  const event = { metadata: { name: 'j.1' }, eventTime: '2026-01-01T00:00:00.123Z', reportingController: 'c', reportingInstance: 'i', action: 'Started', reason: 'Started', note: 'n', type: 'Normal', regarding };
  const refused = await call(server, '/apis/events.k8s.io/v1/namespaces/activity-system/events', { method: 'POST', body: event });
  assert.equal(refused.code, 422);
  assert.deepEqual(refused.body, {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Invalid', code: 422,
    message: 'Event.events.k8s.io "j.1" is invalid: involvedObject.namespace: Invalid value: "": does not match event.namespace',
    details: { name: 'j.1', group: 'events.k8s.io', kind: 'Event', causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: "": does not match event.namespace', field: 'involvedObject.namespace' }] },
  });
  for (const namespace of ['default', 'kube-system']) {
    assert.equal((await call(server, `/apis/events.k8s.io/v1/namespaces/${namespace}/events`, { method: 'POST', body: event })).code, 201, namespace);
  }
  // About a namespaced object: only in that object's namespace.
  const pod = { ...event, metadata: { name: 'p.1' }, regarding: { apiVersion: 'v1', kind: 'Pod', name: 'p', namespace: 'web' } };
  assert.equal((await call(server, '/apis/events.k8s.io/v1/namespaces/default/events', { method: 'POST', body: pod })).code, 422);
  assert.equal((await call(server, '/apis/events.k8s.io/v1/namespaces/web/events', { method: 'POST', body: pod })).code, 201);
});

test('refuses protobuf bodies with 415 and serves OpenAPI v3 with the CRD schema and the fieldValidation parameter', async (t) => {
  const { server } = await started(t);
  const proto = await fetch(`${server.url}/api/v1/namespaces/default/configmaps`, { method: 'POST', headers: { 'Content-Type': 'application/vnd.kubernetes.protobuf' }, body: 'k8s\0' });
  assert.equal(proto.status, 415);
  const root = (await call(server, '/openapi/v3')).body;
  const url = root.paths['apis/activity.miloapis.com/v1alpha1'].serverRelativeURL;
  const doc = (await call(server, url)).body;
  const schema = doc.components.schemas['com.miloapis.activity.v1alpha1.ReindexJob'];
  assert.deepEqual(schema['x-kubernetes-group-version-kind'], [{ group: 'activity.miloapis.com', kind: 'ReindexJob', version: 'v1alpha1' }]);
  assert.equal(schema.properties.spec.properties.config.properties.batchSize.minimum, 100);
  const patch = doc.paths['/apis/activity.miloapis.com/v1alpha1/reindexjobs/{name}'].patch;
  assert.ok(patch.parameters.some((p: any) => p.name === 'fieldValidation' && p.in === 'query'));
  assert.equal((await call(server, '/openapi/v2')).body.swagger, '2.0');
  const review = await call(server, '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { method: 'POST', body: { spec: { resourceAttributes: { verb: 'create', resource: 'reindexjobs' } } } });
  assert.equal(review.body.status.allowed, true);
});
