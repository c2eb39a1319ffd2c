import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextStatus } from './next-status.js';
import type { JobPlan } from '../shared/contracts/job-plan.js';

const now = new Date('2026-01-01T12:00:00.000Z');
const plan: JobPlan = {
  jobUid: 'uid-j',
  resolvedTimeRange: { startTime: '2026-01-01T00:00:00.000Z', endTime: '2026-01-01T01:00:00.000Z' },
  windows: { audit: { spansMs: [3_600_000], events: [5] }, event: { spansMs: [], events: [] } },
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

test('after a spec change every condition carries the new generation, and the Ready message says when a rethrottle took effect', () => {
  const started = nextStatus(undefined, { type: 'start' }, { now, generation: 1, plan })!;
  const withOther = { ...started, conditions: [...started.conditions!, { type: 'AuditLogsProcessed', status: 'False' as const, reason: 'Progressing', message: '0/1', lastTransitionTime: now.toISOString(), observedGeneration: 1 }] };
  const later = new Date('2026-01-01T12:05:00.000Z');
  const observed = nextStatus(withOther, { type: 'observe', generation: 2 }, { now: later, generation: 2 })!;
  assert.deepEqual(observed.conditions!.map((c) => [c.type, c.observedGeneration]), [['Ready', 2], ['AuditLogsProcessed', 2]]);
  const ready = observed.conditions!.find((c) => c.type === 'Ready')!;
  assert.match(ready.message, /^generation 2 took effect at 2026-01-01T12:05:00.000Z: rateLimit and parallelism apply to the windows not yet emitted$/);
  assert.equal(ready.lastTransitionTime, started.conditions![0].lastTransitionTime, 'a new message is not a transition');
});

test('suspend and resume move every condition to the generation and say when they took effect', () => {
  const started = nextStatus(undefined, { type: 'start' }, { now, generation: 1, plan })!;
  const at = new Date('2026-01-01T12:10:00.000Z');
  const suspended = nextStatus({ ...started, estimatedCompletionTime: '2026-01-01T13:00:00.000Z' }, { type: 'suspend', message: 'suspended: no new windows are emitted; windows in flight finish' }, { now: at, generation: 2 })!;
  assert.equal(suspended.phase, 'Suspended');
  assert.equal(suspended.estimatedCompletionTime, undefined, 'no estimate while nothing is emitted');
  assert.deepEqual(suspended.conditions!.map((c) => [c.type, c.status, c.reason, c.observedGeneration]), [['Ready', 'False', 'Suspended', 2]]);
  assert.match(suspended.conditions![0].message, /^suspend took effect at 2026-01-01T12:10:00.000Z \(generation 2\)/);
  const resumed = nextStatus(suspended, { type: 'resume', message: 'resumed' }, { now: new Date('2026-01-01T12:20:00.000Z'), generation: 3 })!;
  assert.deepEqual(resumed.conditions!.map((c) => [c.type, c.reason, c.observedGeneration]), [['Ready', 'Progressing', 3]]);
  assert.equal(resumed.conditions![0].message, 'resumed at 2026-01-01T12:20:00.000Z (generation 3)');
});

test('a start counts windows and events per source from the compact plan', () => {
  const started = nextStatus(undefined, { type: 'start' }, { now, generation: 1, plan })!;
  assert.deepEqual(started.windows!.bySource, { audit: { total: 1, completed: 0, failed: 0 }, event: { total: 0, completed: 0, failed: 0 } });
  assert.equal(started.progress!.totalEvents, 5);
});

test('Stalled is a condition of its own: set with its message, cleared without touching Ready', () => {
  const started = nextStatus(undefined, { type: 'start' }, { now, generation: 1, plan })!;
  const stalled = nextStatus(started, { type: 'stall', message: 'no result within 10 min for 1 window(s) (0); emitted again' }, { now, generation: 1 })!;
  const cond = (s: typeof stalled, type: string) => s.conditions!.find((c) => c.type === type)!;
  assert.deepEqual([cond(stalled, 'Stalled').status, cond(stalled, 'Stalled').reason], ['True', 'ResultOverdue']);
  const later = new Date(now.getTime() + 1000);
  const cleared = nextStatus(stalled, { type: 'unstall', message: 'every window emitted again has answered' }, { now: later, generation: 1 })!;
  assert.deepEqual([cond(cleared, 'Stalled').status, cond(cleared, 'Stalled').lastTransitionTime], ['False', later.toISOString()]);
  assert.deepEqual(cond(cleared, 'Ready'), cond(started, 'Ready'));
  assert.equal(nextStatus({ ...cleared, phase: 'Succeeded' }, { type: 'stall', message: 'x' }, { now, generation: 1 }), undefined);
});
