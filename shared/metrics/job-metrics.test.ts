import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import type { ReindexJob, ReindexJobStatus } from '../api/reindex-job.js';
import { createJobMetrics, createJobObserver, policyLabel, timeRangeLabel } from './job-metrics.js';

const RANGE = { startTime: '2026-11-30T10:00:00Z', endTime: '2026-12-01T09:00:00Z' };

function job(name: string, status: ReindexJobStatus, names?: string[]): ReindexJob {
  return {
    apiVersion: 'activity.miloapis.com/v1alpha1',
    kind: 'ReindexJob',
    metadata: { name, uid: `uid-${name}` },
    spec: { timeRange: { startTime: 'now-1d' }, ...(names ? { policySelector: { names } } : {}) },
    status,
  } as ReindexJob;
}

async function series(registry: Registry, name: string): Promise<string[]> {
  return (await registry.metrics()).split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
}

test('the reindexer labels: days of the range, and all / one name / a count of policies', () => {
  assert.equal(timeRangeLabel(RANGE), '20261130_20261201');
  assert.equal(policyLabel(undefined), 'all');
  assert.equal(policyLabel(['deployments']), 'deployments');
  assert.equal(policyLabel(['a', 'b', 'c']), '3_policies');
});

test('counts a start and a duration for each job seen changing phase, once; a restart counts nothing again', async () => {
  const registry = new Registry();
  const metrics = createJobMetrics(registry);
  const observe = createJobObserver(metrics);
  const started = { phase: 'Running', startedAt: '2026-12-01T10:00:00Z', resolvedTimeRange: RANGE } as const;
  observe([job('a', {}), job('b', {}, ['deployments'])]);
  observe([job('a', started), job('b', started, ['deployments'])]);
  observe([job('a', started), job('b', started, ['deployments'])]); // unchanged: nothing more
  observe([job('a', { ...started, phase: 'Succeeded', completedAt: '2026-12-01T10:01:20Z' }), job('b', { ...started, phase: 'Failed', completedAt: '2026-12-01T10:00:30Z' }, ['deployments'])]);
  assert.deepEqual(await series(registry, 'activity_reindex_jobs_total'), [
    'activity_reindex_jobs_total{time_range="20261130_20261201",policy="all"} 1',
    'activity_reindex_jobs_total{time_range="20261130_20261201",policy="deployments"} 1',
  ]);
  assert.deepEqual(await series(registry, 'activity_reindex_job_duration_seconds_sum'), ['activity_reindex_job_duration_seconds_sum{time_range="20261130_20261201"} 110']);
  assert.deepEqual(await series(registry, 'activity_reindex_job_failed'), ['activity_reindex_job_failed{reindexjob="b"} 1']);

  // A new controller sees the same jobs for the first time: no second count.
  const again = new Registry();
  const fresh = createJobMetrics(again);
  createJobObserver(fresh)([job('a', { ...started, phase: 'Succeeded', completedAt: '2026-12-01T10:01:20Z' }), job('b', { ...started, phase: 'Failed' })]);
  assert.deepEqual(await series(again, 'activity_reindex_jobs_total'), []);
  assert.deepEqual(await series(again, 'activity_reindex_job_failed'), ['activity_reindex_job_failed{reindexjob="b"} 1']);
});

test('a job the controller fails before it ever runs is a failed job; deleting it clears the gauge', async () => {
  const registry = new Registry();
  const observe = createJobObserver(createJobMetrics(registry));
  observe([job('bad', {})]);
  observe([job('bad', { phase: 'Failed', message: 'spec.timeRange.startTime: invalid' })]);
  assert.deepEqual(await series(registry, 'activity_reindex_job_failed'), ['activity_reindex_job_failed{reindexjob="bad"} 1']);
  assert.deepEqual(await series(registry, 'activity_reindex_jobs_total'), [], 'never started');
  observe([]);
  assert.deepEqual(await series(registry, 'activity_reindex_job_failed'), []);
});
