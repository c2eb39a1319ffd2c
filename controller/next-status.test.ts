import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextStatus } from './next-status.js';
import type { JobPlan } from './job-plan.js';

const now = new Date('2026-01-01T12:00:00.000Z');
const plan: JobPlan = {
  jobUid: 'uid-j',
  resolvedTimeRange: { startTime: '2026-01-01T00:00:00.000Z', endTime: '2026-01-01T01:00:00.000Z' },
  windows: [{ index: 0, source: 'audit', from: '2026-01-01T00:00:00.000Z', to: '2026-01-01T01:00:00.000Z', expectedEvents: 5 }],
  totalEvents: 5,
  policies: [],
  discovery: {},
  fixedSpec: { timeRange: { startTime: '2026-01-01T00:00:00Z', endTime: '2026-01-01T01:00:00Z' }, batchSize: 1000, dryRun: false },
};

test('every condition written carries the generation of the job it was written for', () => {
  const started = nextStatus(undefined, { type: 'start' }, { now, generation: 2, plan })!;
  assert.deepEqual(started.conditions!.map((c) => [c.type, c.observedGeneration]), [['Ready', 2]]);
  const failed = nextStatus(started, { type: 'fail', reason: 'InvalidSpec', message: 'bad' }, { now, generation: 3 })!;
  assert.deepEqual(failed.conditions!.map((c) => [c.type, c.observedGeneration]), [['Ready', 3]]);
  const completed = nextStatus({}, { type: 'complete', message: 'no events' }, { now, generation: 4 })!;
  assert.deepEqual(completed.conditions!.map((c) => [c.type, c.observedGeneration]), [['Ready', 4]]);
});
