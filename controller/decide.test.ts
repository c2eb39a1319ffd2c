import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReindexJob, ReindexJobSpec, ReindexJobStatus } from '../shared/api/reindex-job.js';
import type { WindowSpec } from '../shared/contracts/window-requested.js';
import type { Action } from './action.js';
import { decide, type DecideInput } from './decide.js';
import { encodePlanWindows, planWindows, type JobPlan } from '../shared/contracts/job-plan.js';
import type { EmissionRecord } from '../shared/contracts/emission-record.js';

const now = new Date('2025-06-01T12:00:00.000Z');
const config = { maxConcurrentJobs: 1, retentionDays: 60, resultDeadlineMs: 600_000 };

function job(name: string, opts: { created?: string; spec?: Partial<ReindexJobSpec>; status?: ReindexJobStatus; generation?: number } = {}): ReindexJob {
  return {
    apiVersion: 'activity.miloapis.com/v1alpha1',
    kind: 'ReindexJob',
    metadata: { name, uid: `uid-${name}`, generation: opts.generation ?? 1, creationTimestamp: opts.created ?? '2025-06-01T11:00:00Z' },
    spec: { timeRange: { startTime: '2025-06-01T00:00:00Z', endTime: '2025-06-01T10:00:00Z' }, ...opts.spec },
    status: opts.status,
  };
}

function plan(windowCount: number, eventsPerWindow = 100): JobPlan {
  const range = { startTime: '2025-06-01T00:00:00.000Z', endTime: new Date(Date.parse('2025-06-01T00:00:00Z') + windowCount * 60_000).toISOString() };
  const windows: WindowSpec[] = Array.from({ length: windowCount }, (_, index) => ({
    index,
    source: 'audit',
    from: new Date(Date.parse('2025-06-01T00:00:00Z') + index * 60_000).toISOString(),
    to: new Date(Date.parse('2025-06-01T00:00:00Z') + (index + 1) * 60_000).toISOString(),
    expectedEvents: eventsPerWindow,
  }));
  return {
    jobUid: 'uid-a',
    resolvedTimeRange: range,
    windows: encodePlanWindows(range, windows),
    policies: [],
    discovery: {},
    fixedSpec: { timeRange: { startTime: '2025-06-01T00:00:00Z', endTime: '2025-06-01T10:00:00Z' }, batchSize: 1000, dryRun: false },
  };
}

const running = (extra: ReindexJobStatus = {}): ReindexJobStatus => ({
  phase: 'Running',
  startedAt: '2025-06-01T11:59:00.000Z',
  observedGeneration: 1,
  windows: { total: 10, completed: 0, failed: 0, completedRanges: '', failedRanges: '' },
  ...extra,
});

/** An emission record: `emitted` as [index, ms ago(, emissions)], the last one latest; every window below the highest emitted. */
function record(emitted: [index: number, msAgo: number, attempts?: number][] = []): EmissionRecord {
  const latest = [...emitted].sort((a, b) => b[1] - a[1]).at(-1);
  return {
    jobUid: 'uid-a',
    next: emitted.length > 0 ? Math.max(...emitted.map(([i]) => i)) + 1 : 0,
    ...(latest ? { last: { index: latest[0], at: now.getTime() - latest[1] } } : {}),
    inFlight: emitted.map(([i, ago, attempts]) => [i, now.getTime() - ago, attempts ?? 1]),
  };
}

function run(input: Partial<DecideInput> & { job: ReindexJob }): Action[] {
  return decide({ otherJobs: [], now, record: record(), config, ...(input.plan ? { windows: planWindows(input.plan) } : {}), ...input });
}

function emittedIndexes(actions: Action[]): number[] {
  return actions.flatMap((a) => (a.type === 'emit' ? a.windows.map((w) => w.window.index) : []));
}

function only<T extends Action['type']>(actions: Action[], type: T): Extract<Action, { type: T }> {
  const found = actions.filter((a) => a.type === type);
  assert.equal(found.length, 1, `expected one ${type} in ${JSON.stringify(actions)}`);
  return found[0] as Extract<Action, { type: T }>;
}

test('admits the oldest job first and keeps the others Pending saying what they wait for', () => {
  const a = job('a', { created: '2025-06-01T11:00:00Z' });
  const b = job('b', { created: '2025-06-01T11:00:01Z' });
  const c = job('c', { created: '2025-06-01T11:00:02Z' });
  assert.deepEqual(run({ job: a, otherJobs: [a, b, c] }).map((x) => x.type), ['wait', 'prepare']);
  assert.match(only(run({ job: b, otherJobs: [a, b, c] }), 'wait').message, /older queued job\(s\): a\b/);
  assert.match(only(run({ job: c, otherJobs: [a, b, c] }), 'wait').message, /2 older queued job\(s\): a, b/);
});

test('counts running jobs against the limit and names them', () => {
  const a = job('a', { status: running() });
  const b = job('b', { created: '2025-06-01T11:00:01Z' });
  assert.match(only(run({ job: b, otherJobs: [a, b] }), 'wait').message, /waiting for 1 running job\(s\): a/);
  assert.equal(run({ job: b, otherJobs: [a, b], config: { ...config, maxConcurrentJobs: 2 } })[1].type, 'prepare');
});

test('orders jobs created in the same second by name', () => {
  const x = job('x'), y = job('y');
  assert.equal(run({ job: x, otherJobs: [y, x] })[1].type, 'prepare');
  assert.equal(run({ job: y, otherJobs: [y, x] })[0].type, 'wait');
});

test('does not repeat a wait the status already shows', () => {
  const a = job('a', { status: running() });
  const first = only(run({ job: job('b', { created: '2025-06-01T11:00:01Z' }), otherJobs: [a] }), 'wait');
  const b = job('b', { created: '2025-06-01T11:00:01Z', status: { phase: 'Pending', message: first.message, observedGeneration: 1 } });
  assert.deepEqual(run({ job: b, otherJobs: [a, b] }), []);
});

test('a finished or invalid job ahead does not hold the queue', () => {
  const done = job('a', { status: { phase: 'Succeeded', startedAt: '2025-06-01T11:00:00Z' } });
  const invalid = job('b', { spec: { timeRange: { startTime: 'yesterday-ish' } } });
  const c = job('c', { created: '2025-06-01T11:00:05Z' });
  assert.equal(run({ job: c, otherJobs: [done, invalid, c] })[1].type, 'prepare');
});

test('resolves relative times once, when the job is admitted', () => {
  const a = job('a', { spec: { timeRange: { startTime: 'now-2h' } } });
  const prepare = only(run({ job: a }), 'prepare');
  assert.equal(Date.parse(prepare.resolvedTimeRange.startTime), now.getTime() - 2 * 3600_000);
  assert.equal(Date.parse(prepare.resolvedTimeRange.endTime), now.getTime());
  // With a stored plan the next pass starts with it instead of resolving again.
  assert.deepEqual(run({ job: a, plan: plan(3) }), [{ type: 'start' }]);
});

for (const [what, spec, field] of [
  ['start after end', { timeRange: { startTime: '2025-06-01T10:00:00Z', endTime: '2025-06-01T09:00:00Z' } }, /startTime|endTime/],
  ['start beyond retention', { timeRange: { startTime: 'now-90d' } }, /startTime/],
  ['both selectors', { policySelector: { names: ['p'], matchLabels: { a: 'b' } } }, /policySelector/],
  ['batchSize out of bounds', { config: { batchSize: 50 } }, /batchSize/],
  ['an unparsable relative time', { timeRange: { startTime: 'now-5parsecs' } }, /startTime/],
] as const) {
  test(`fails a job with ${what}, naming the field`, () => {
    const action = only(run({ job: job('a', { spec: spec as Partial<ReindexJobSpec> }) }), 'fail');
    assert.match(action.message, /^invalid spec: /);
    assert.match(action.message, field);
  });
}

test('paces emission by rateLimit and gives each window its share', () => {
  const a = job('a', { spec: { config: { rateLimit: 100, parallelism: 4 } }, status: running() });
  const first = run({ job: a, plan: plan(10) });
  assert.deepEqual(emittedIndexes(first), [0]);
  assert.equal(only(first, 'emit').windows[0].rateLimit, 25);
  assert.equal(only(first, 'requeueAfter').ms, 1000); // 100 events at 100/s
  const early = run({ job: a, plan: plan(10), record: record([[0, 400]]) });
  assert.deepEqual(emittedIndexes(early), []);
  assert.equal(only(early, 'requeueAfter').ms, 600);
  const due = run({ job: a, plan: plan(10), record: record([[0, 1000]]) });
  assert.deepEqual(emittedIndexes(due), [1]);
});

test('keeps at most parallelism windows in flight', () => {
  const a = job('a', { spec: { config: { rateLimit: 1_000_000, parallelism: 2 } }, status: running() });
  const emitted = record([[0, 5000], [1, 5000]]);
  assert.deepEqual(emittedIndexes(run({ job: a, plan: plan(10), record: emitted })), []);
  const oneDone = job('a', {
    spec: a.spec,
    status: running({ windows: { total: 10, completed: 1, failed: 0, completedRanges: '0', failedRanges: '' } }),
  });
  assert.deepEqual(emittedIndexes(run({ job: oneDone, plan: plan(10), record: emitted })), [2]);
});

test('after a restart emits only windows not completed', () => {
  const a = job('a', {
    spec: { config: { rateLimit: 1_000_000, parallelism: 4 } },
    status: running({ windows: { total: 10, completed: 7, failed: 0, completedRanges: '0-5,7', failedRanges: '' } }),
  });
  // No emission record survived: every unfinished window is fair game, completed ones never.
  const actions = run({ job: a, plan: plan(10, 0) });
  assert.deepEqual(emittedIndexes(actions), [6, 8, 9]);
  // With the record, a window still in flight is not emitted again either.
  assert.deepEqual(emittedIndexes(run({ job: a, plan: plan(10, 0), record: { ...record([[6, 10]]), next: 8 } })), [8, 9]);
});

test('emits a window again when its result is overdue, and says the job is Stalled', () => {
  const a = job('a', { spec: { config: { rateLimit: 1_000_000, parallelism: 1 } }, status: running() });
  const overdue = run({ job: a, plan: plan(3), record: record([[0, config.resultDeadlineMs + 1]]) });
  assert.deepEqual(only(overdue, 'emit').windows.map((w) => [w.window.index, w.attempt]), [[0, 2]]);
  assert.match(only(overdue, 'stall').message, /^no result within 10 min for 1 window\(s\) \(0\); emitted again$/);
  // Not yet due: nothing again, no Stalled.
  const waiting = run({ job: a, plan: plan(3), record: record([[0, config.resultDeadlineMs - 1]]) });
  assert.deepEqual(emittedIndexes(waiting), []);
  assert.equal(waiting.some((x) => x.type === 'stall'), false);
  assert.equal(only(waiting, 'requeueAfter').ms, 1);
});

test('stays Stalled while a re-emitted window has not answered, and clears once it has', () => {
  const stalledCondition = { type: 'Stalled', status: 'True' as const, reason: 'ResultOverdue', message: 'no result within 10 min for 1 window(s) (0); emitted again', lastTransitionTime: now.toISOString() };
  const spec = { config: { rateLimit: 1_000_000, parallelism: 1 } };
  const waiting = job('a', { spec, status: running({ conditions: [stalledCondition] }) });
  assert.deepEqual(run({ job: waiting, plan: plan(3), record: record([[0, 1000, 2]]) }).filter((x) => x.type === 'stall' || x.type === 'unstall'), []);
  const answered = job('a', { spec, status: running({ conditions: [stalledCondition], windows: { total: 3, completed: 1, failed: 0, completedRanges: '0', failedRanges: '' } }) });
  const actions = run({ job: answered, plan: plan(3), record: record([[0, 1000, 2]]) });
  assert.equal(only(actions, 'unstall').type, 'unstall');
  assert.deepEqual(emittedIndexes(actions), [1]);
});

test('a job finished by the result of a re-emitted window is no longer Stalled', () => {
  const stalledCondition = { type: 'Stalled', status: 'True' as const, reason: 'ResultOverdue', message: 'no result within 10 min for 1 window(s) (0); emitted again', lastTransitionTime: now.toISOString() };
  const done = job('a', { status: { phase: 'Succeeded', completedAt: now.toISOString(), observedGeneration: 1, conditions: [stalledCondition] } });
  assert.equal(only(run({ job: done, plan: plan(3) }), 'unstall').type, 'unstall');
  const clear = job('a', { status: { phase: 'Succeeded', completedAt: now.toISOString(), observedGeneration: 1, conditions: [{ ...stalledCondition, status: 'False' as const }] } });
  assert.deepEqual(run({ job: clear, plan: plan(3) }).filter((x) => x.type === 'unstall'), []);
});

test('suspend stops emission and resume carries on', () => {
  const suspended = job('a', { spec: { suspend: true }, status: running() });
  const actions = run({ job: suspended, plan: plan(10) });
  assert.equal(only(actions, 'suspend').type, 'suspend');
  assert.deepEqual(emittedIndexes(actions), []);
  const resumed = job('a', {
    spec: { config: { rateLimit: 1_000_000 } },
    status: running({ phase: 'Suspended', windows: { total: 10, completed: 3, failed: 0, completedRanges: '0-2', failedRanges: '' } }),
  });
  const next = run({ job: resumed, plan: plan(10, 0) });
  assert.equal(only(next, 'resume').type, 'resume');
  assert.deepEqual(emittedIndexes(next), [3, 4, 5, 6]);
});

test('a lowered rateLimit spaces the next window out and is acknowledged', () => {
  const slow = job('a', { generation: 2, spec: { config: { rateLimit: 10, parallelism: 4 } }, status: running() });
  const actions = run({ job: slow, plan: plan(10), record: record([[0, 1000]]) });
  assert.equal(only(actions, 'observe').generation, 2);
  assert.deepEqual(emittedIndexes(actions), []);
  assert.equal(only(actions, 'requeueAfter').ms, 9000); // 100 events at 10/s, 1 s gone
});

test('a running job ignores edits of timeRange, policySelector, dryRun and batchSize, saying so, and keeps emitting', () => {
  const edited = job('a', {
    generation: 2,
    spec: {
      timeRange: { startTime: 'now-1h' },
      policySelector: { names: ['other'] },
      // batchSize 50 is out of bounds: ignored, it cannot fail the job either.
      config: { dryRun: true, batchSize: 50, rateLimit: 1_000_000 },
    },
    status: running(),
  });
  const actions = run({ job: edited, plan: plan(10, 0) });
  const observe = only(actions, 'observe');
  assert.equal(observe.generation, 2);
  assert.match(observe.message ?? '', /^spec\.timeRange, spec\.policySelector, spec\.config\.dryRun, spec\.config\.batchSize changed after the job started and are ignored/);
  assert.equal(actions.some((a) => a.type === 'fail'), false);
  assert.deepEqual(emittedIndexes(actions), [0, 1, 2, 3]);
  // A rethrottle alone is acknowledged without such a message; key order is no change.
  const rethrottled = job('a', { generation: 3, spec: { timeRange: { endTime: '2025-06-01T10:00:00Z', startTime: '2025-06-01T00:00:00Z' }, config: { rateLimit: 50 } }, status: running() });
  assert.equal(only(run({ job: rethrottled, plan: plan(10) }), 'observe').message, undefined);
});

test('stops emitting once a window failed', () => {
  const a = job('a', { status: running({ windows: { total: 10, completed: 1, failed: 1, completedRanges: '0', failedRanges: '1' } }) });
  assert.deepEqual(emittedIndexes(run({ job: a, plan: plan(10) })), []);
});

test('a deleted job gets no actions', () => {
  const a = job('a', { status: running() });
  a.metadata.deletionTimestamp = now.toISOString();
  assert.deepEqual(run({ job: a, plan: plan(10) }), []);
});

test('deletes a finished job after its TTL and waits until then', () => {
  const finished = (ttl: number) =>
    job('a', { spec: { ttlSecondsAfterFinished: ttl }, status: { phase: 'Succeeded', observedGeneration: 1, completedAt: '2025-06-01T11:59:50.000Z' } });
  assert.deepEqual(run({ job: finished(5) }), [{ type: 'deleteJob' }]);
  assert.deepEqual(run({ job: finished(60) }), [{ type: 'requeueAfter', ms: 50_000 }]);
  assert.deepEqual(run({ job: job('a', { status: { phase: 'Failed', completedAt: '2025-06-01T11:00:00Z' } }) }), []);
});

test('ignores a spec change after the job finished, saying so', () => {
  const a = job('a', { generation: 2, status: { phase: 'Succeeded', observedGeneration: 1, message: 'completed 10 windows' } });
  const action = only(run({ job: a }), 'observe');
  assert.equal(action.generation, 2);
  assert.match(action.message ?? '', /completed 10 windows; spec change \(generation 2\) ignored: a finished job is never re-run/);
});

test('fails a running job whose plan is gone', () => {
  assert.equal(only(run({ job: job('a', { status: running() }) }), 'fail').reason, 'PlanMissing');
});

test('a job suspended before it started observes each spec change, so its conditions follow the generation', () => {
  const status: ReindexJobStatus = { phase: 'Suspended', message: 'suspended before it started', observedGeneration: 1 };
  assert.deepEqual(run({ job: job('a', { spec: { suspend: true }, status, generation: 1 }) }), []);
  assert.deepEqual(run({ job: job('a', { spec: { suspend: true }, status, generation: 2 }) }), [{ type: 'suspend', message: 'suspended before it started' }]);
});

test('a fast job emits a batch per pass, never walking the plan: up to parallelism windows whose pacing slots fall within the lookahead', () => {
  // 100 events at 10,000/s: 10 ms apart, so 26 slots fit in 250 ms; parallelism caps the pass at 16.
  const fast = job('a', { spec: { config: { rateLimit: 10_000, parallelism: 16 } }, status: running({ windows: { total: 10_000, completed: 0, failed: 0, completedRanges: '', failedRanges: '' } }) });
  const big = plan(10_000);
  const first = run({ job: fast, plan: big });
  assert.deepEqual(emittedIndexes(first), Array.from({ length: 16 }, (_, i) => i));
  assert.deepEqual(only(first, 'emit').windows.map((w) => w.slot - now.getTime()).slice(0, 3), [0, 10, 20]);
  // Half answered, the record says 16 went out: the next pass sends the next 8, from the record's `next` on.
  const halfDone = job('a', { spec: fast.spec, status: running({ windows: { total: 10_000, completed: 8, failed: 0, completedRanges: '0-7', failedRanges: '' } }) });
  const emitted: [number, number][] = Array.from({ length: 16 }, (_, i) => [i, 1000]);
  assert.deepEqual(emittedIndexes(run({ job: halfDone, plan: big, record: record(emitted) })), [16, 17, 18, 19, 20, 21, 22, 23]);
});
