import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiException, type CustomObjectsApi } from '@kubernetes/client-node';
import type { ReindexJob } from '../../shared/api/reindex-job.js';
import { silentLogger } from '../../shared/log.js';
import { createStatusWriter } from './status-writer.js';
import type { WindowResult } from './window-result.js';

const UID = 'uid-w';

function runningJob(windows: number): ReindexJob {
  return {
    apiVersion: 'activity.miloapis.com/v1alpha1',
    kind: 'ReindexJob',
    metadata: { name: 'w', uid: UID, generation: 1, resourceVersion: '1' },
    spec: { timeRange: { startTime: 'now-1h' } },
    status: { phase: 'Running', startedAt: new Date(Date.now() - 1000).toISOString(), windows: { total: windows, completed: 0, failed: 0, completedRanges: '', failedRanges: '' } },
  };
}

const completed = (index: number): WindowResult => ({
  kind: 'completed',
  data: { job: { name: 'w', uid: UID, generation: 1 }, window: { index, source: 'audit' }, processedEvents: 10, activitiesGenerated: 10, errors: 0, errorSamples: [], durationMs: 1 },
});

/** A ReindexJob API whose status patches fail as `failures` says, in order, before they land. */
function flakyApi(job: ReindexJob, failures: number[]) {
  let current = structuredClone(job);
  let version = 1;
  const patches: number[] = [];
  const api = {
    getClusterCustomObject: async () => structuredClone(current),
    patchClusterCustomObjectStatus: async ({ body }: { body: { metadata: { resourceVersion: string }; status: object } }) => {
      const code = failures.shift();
      patches.push(code ?? 200);
      if (code) throw new ApiException(code, 'injected', {}, {});
      assert.equal(body.metadata.resourceVersion, String(version), 'guarded by the version it read');
      current = { ...current, metadata: { ...current.metadata, resourceVersion: String(++version) }, status: mergeStatus(current.status, body.status) };
      return structuredClone(current);
    },
  } as unknown as CustomObjectsApi;
  return { api, patches, current: () => current };
}

/** JSON merge patch of status (objects merged, null removes). */
function mergeStatus(target: unknown, patch: unknown): ReindexJob['status'] {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch as ReindexJob['status'];
  const out: Record<string, unknown> = { ...(typeof target === 'object' && target !== null ? (target as Record<string, unknown>) : {}) };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergeStatus(out[k], v);
  }
  return out as ReindexJob['status'];
}

test('keeps retrying a status write through 30 conflicts and server errors, and counts the result once', async () => {
  const failures = [...Array(25).fill(409), 500, 503, 429, 409, 409];
  const { api, patches, current } = flakyApi(runningJob(2), failures);
  const writer = createStatusWriter({ jobs: api, recordEvent: async () => undefined, log: silentLogger, retryBaseMs: 1, retryMaxMs: 2 });
  const folded = await writer.submit('w', { kind: 'result', result: completed(0) });
  assert.equal(folded.dropped, undefined);
  assert.equal(patches.length, 31);
  assert.deepEqual(current().status!.windows, { total: 2, completed: 1, failed: 0, completedRanges: '0', failedRanges: '' });
  await writer.close();
});

test('folds results arriving while a write is under way into the next single write', async () => {
  const { api, patches, current } = flakyApi(runningJob(20), []);
  const writer = createStatusWriter({ jobs: api, recordEvent: async () => undefined, log: silentLogger, intervalMs: 200 });
  const first = writer.submit('w', { kind: 'result', result: completed(0) });
  const rest = Array.from({ length: 19 }, (_, i) => writer.submit('w', { kind: 'result', result: completed(i + 1) }));
  const again = writer.submit('w', { kind: 'result', result: completed(5) });
  await Promise.all([first, ...rest]);
  assert.equal((await again).dropped, 'duplicate');
  assert.equal(patches.length, 2, 'the first result at once, the 19 that queued behind it together');
  assert.equal(current().status!.phase, 'Succeeded');
  assert.equal(current().status!.windows!.completedRanges, '0-19');
  await writer.close();
});

test('answers 503 when a write takes past maxWaitMs, and still writes the result', async () => {
  const { api, current } = flakyApi(runningJob(2), Array(40).fill(503));
  const writer = createStatusWriter({ jobs: api, recordEvent: async () => undefined, log: silentLogger, retryBaseMs: 5, retryMaxMs: 5, maxWaitMs: 50 });
  await assert.rejects(writer.submit('w', { kind: 'result', result: completed(1) }), (err: Error & { status?: number }) => err.status === 503);
  while (current().status!.windows!.completedRanges !== '1') await new Promise((ok) => setTimeout(ok, 10));
  await writer.close();
});

test('keeps retrying through failures that are no ApiException: a TypeError from the socket, a thrown object with a code', async () => {
  const { api, patches, current } = flakyApi(runningJob(2), []);
  const thrown: unknown[] = [new TypeError('socket hang up'), { code: 503 }, 'connection reset'];
  const patch = api.patchClusterCustomObjectStatus.bind(api);
  (api as { patchClusterCustomObjectStatus: unknown }).patchClusterCustomObjectStatus = async (...args: Parameters<typeof patch>) => {
    if (thrown.length > 0) throw thrown.shift();
    return patch(...args);
  };
  const writer = createStatusWriter({ jobs: api, recordEvent: async () => undefined, log: silentLogger, retryBaseMs: 1, retryMaxMs: 2 });
  const folded = await writer.submit('w', { kind: 'result', result: completed(0) });
  assert.equal(folded.dropped, undefined);
  assert.equal(thrown.length, 0, 'all three failures were retried');
  assert.equal(patches.length, 1);
  assert.equal(current().status!.windows!.completedRanges, '0');
  await writer.close();
});
