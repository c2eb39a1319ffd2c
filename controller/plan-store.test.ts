import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiException, type CoreV1Api, type V1ConfigMap } from '@kubernetes/client-node';
import type { ReindexJob } from '../shared/api/reindex-job.js';
import { parseEmissionRecord } from '../shared/contracts/emission-record.js';
import { parseJobPlan, type JobPlan } from '../shared/contracts/job-plan.js';
import { createPlanStore } from './plan-store.js';

const job: ReindexJob = {
  apiVersion: 'activity.miloapis.com/v1alpha1',
  kind: 'ReindexJob',
  metadata: { name: 'j', uid: 'uid-j', generation: 1 },
  spec: { timeRange: { startTime: '2026-01-01T00:00:00Z', endTime: '2026-01-02T00:00:00Z' } },
};
const plan = (windows: number, summaryBytes = 10): JobPlan => ({
  jobUid: 'uid-j',
  resolvedTimeRange: { startTime: '2026-01-01T00:00:00.000Z', endTime: '2026-01-02T00:00:00.000Z' },
  windows: { audit: { spansMs: Array(windows).fill(86_400_000 / windows), events: Array(windows).fill(1) }, event: { spansMs: [], events: [] } },
  policies: [{ metadata: { name: 'p' }, spec: { resource: { apiGroup: '', kind: 'Pod' }, auditRules: [{ name: 'r', match: 'true', summary: 'x'.repeat(summaryBytes) }] } }],
  discovery: {},
  fixedSpec: { timeRange: job.spec.timeRange, batchSize: 1000, dryRun: false },
});

/** An in-memory ConfigMap API that records every write (name and body size). */
function configMaps() {
  const store = new Map<string, V1ConfigMap>();
  const writes: { verb: string; name: string; bytes: number }[] = [];
  let version = 0;
  const put = (verb: string, body: V1ConfigMap) => {
    const name = body.metadata!.name!;
    const current = store.get(name);
    if (verb === 'create' && current) throw new ApiException(409, 'AlreadyExists', {}, {});
    if (verb === 'replace' && current?.immutable) throw new ApiException(422, 'field is immutable', {}, {});
    if (verb === 'replace' && current?.metadata?.resourceVersion !== body.metadata?.resourceVersion) throw new ApiException(409, 'Conflict', {}, {});
    const stored = { ...body, metadata: { ...body.metadata, resourceVersion: String(++version) } };
    store.set(name, stored);
    writes.push({ verb, name, bytes: Buffer.byteLength(JSON.stringify(stored)) });
    return stored;
  };
  const api = {
    readNamespacedConfigMap: async ({ name }: { name: string }) => {
      const found = store.get(name);
      if (!found) throw new ApiException(404, 'NotFound', {}, {});
      return found;
    },
    createNamespacedConfigMap: async ({ body }: { body: V1ConfigMap }) => put('create', body),
    replaceNamespacedConfigMap: async ({ body }: { body: V1ConfigMap }) => put('replace', body),
  } as unknown as CoreV1Api;
  return { api, store, writes };
}

test('writes the plan once, immutable, and per emission only a record whose size does not grow with the plan', async () => {
  const { api, store, writes } = configMaps();
  const plans = createPlanStore(api, 'default');
  await plans.save(job, plan(10_000));
  for (let pass = 0; pass < 50; pass++) {
    const inFlight = Array.from({ length: 16 }, (_, k): [number, number, number] => [pass * 16 + k, 1_767_225_600_000 + pass, 1]);
    await plans.saveRecord(job, { jobUid: 'uid-j', next: pass * 16 + 16, last: { index: pass * 16 + 15, at: 1_767_225_600_000 + pass }, inFlight });
  }
  assert.deepEqual(writes.filter((w) => w.name === 'reindexjob-j').map((w) => w.verb), ['create']);
  assert.equal(store.get('reindexjob-j')!.immutable, true);
  const recordWrites = writes.filter((w) => w.name === 'reindexjob-j-emission');
  assert.equal(recordWrites.length, 50);
  assert.ok(Math.max(...recordWrites.map((w) => w.bytes)) < 2048, `record writes of ${Math.max(...recordWrites.map((w) => w.bytes))} bytes`);
  assert.equal(parseEmissionRecord(store.get('reindexjob-j-emission')!.data!['emission.json']).next, 800);

  // A restarted controller reads both back.
  const again = await createPlanStore(api, 'default').load(job);
  assert.equal(again.windows!.length, 10_000);
  assert.equal(again.record.next, 800);
});

test('reuses the plan an earlier life of the controller stored, and never takes over one of an earlier job with the same name', async () => {
  const { api, store } = configMaps();
  await createPlanStore(api, 'default').save(job, plan(3));
  await createPlanStore(api, 'default').save(job, plan(5));
  assert.equal(parseJobPlan(store.get('reindexjob-j')!.data!['plan.json']).windows.audit.spansMs.length, 3, 'the first plan of this job stays');
  const successor = { ...job, metadata: { ...job.metadata, uid: 'uid-k' } };
  assert.equal((await createPlanStore(api, 'default').load(successor)).plan, undefined, 'the new job does not see the old plan');
  await assert.rejects(createPlanStore(api, 'default').save(successor, { ...plan(4), jobUid: 'uid-k' }), /still holds the plan of an earlier ReindexJob j \(uid uid-j\); waiting for its garbage collection/);
});

test('refuses to write a plan over 900 KiB, without calling the API', async () => {
  const { api, writes } = configMaps();
  await assert.rejects(createPlanStore(api, 'default').save(job, plan(10, 1_000_000)), /plan of ReindexJob j would be \d+ KiB, over 900 KiB/);
  assert.equal(writes.length, 0);
});
