import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiException, type CoreV1Api, type V1ConfigMap } from '@kubernetes/client-node';
import type { ReindexJob } from '../shared/api/reindex-job.js';
import type { JobPlan } from './job-plan.js';
import { createPlanStore } from './plan-store.js';

const job: ReindexJob = {
  apiVersion: 'activity.miloapis.com/v1alpha1',
  kind: 'ReindexJob',
  metadata: { name: 'j', uid: 'uid-j', generation: 1 },
  spec: { timeRange: { startTime: '2026-01-01T00:00:00Z', endTime: '2026-01-02T00:00:00Z' } },
};
const plan = (windows: number): JobPlan => ({
  jobUid: 'uid-j',
  resolvedTimeRange: { startTime: '2026-01-01T00:00:00.000Z', endTime: '2026-01-02T00:00:00.000Z' },
  windows: Array.from({ length: windows }, (_, index) => ({ index, source: 'audit', from: '2026-01-01T00:00:00.000Z', to: '2026-01-02T00:00:00.000Z', expectedEvents: 1 })),
  totalEvents: windows,
  policies: [],
  discovery: {},
  fixedSpec: { timeRange: job.spec.timeRange, batchSize: 1000, dryRun: false },
});

/** The ConfigMap calls of CoreV1Api, answering every write with `writeAnswer`; counts the writes. */
function configMaps(writeAnswer: () => Promise<V1ConfigMap>): { api: CoreV1Api; writes: () => number } {
  let writes = 0;
  const write = () => {
    writes++;
    return writeAnswer();
  };
  const api = {
    readNamespacedConfigMap: async () => ({ metadata: { name: 'reindexjob-j', resourceVersion: String(writes) } }),
    createNamespacedConfigMap: write,
    replaceNamespacedConfigMap: write,
  } as unknown as CoreV1Api;
  return { api, writes: () => writes };
}

test('gives up after 10 conflicting writes instead of retrying forever', async () => {
  const { api, writes } = configMaps(async () => {
    throw new ApiException(409, 'Conflict', {}, {});
  });
  await assert.rejects(createPlanStore(api, 'default').save(job, plan(3)), (err: unknown) => (err as ApiException<unknown>).code === 409);
  assert.equal(writes(), 10);
});

test('refuses to write a plan ConfigMap over 900 KiB, without calling the API', async () => {
  const { api, writes } = configMaps(async (): Promise<V1ConfigMap> => ({ metadata: { resourceVersion: '1' } }));
  await createPlanStore(api, 'default').save(job, plan(10));
  assert.equal(writes(), 1);
  await assert.rejects(createPlanStore(api, 'default').save(job, plan(10_000)), /plan ConfigMap of ReindexJob j would be \d+ KiB, over 900 KiB/);
  assert.equal(writes(), 1);
});
