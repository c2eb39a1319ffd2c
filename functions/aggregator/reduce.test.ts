import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReindexJobStatus } from '../../shared/api/reindex-job.js';
import type { WindowCompleted } from '../../shared/contracts/window-completed.js';
import { reduceStatus, reduceWindowResult, type ReduceContext } from './reduce.js';
import type { WindowResult } from './window-result.js';

const UID = 'uid-1';
const START = Date.parse('2026-05-01T10:00:00.000Z');
const at = (seconds: number) => new Date(START + seconds * 1000);
const ctx = (seconds: number, extra: Partial<ReduceContext> = {}): ReduceContext => ({ now: at(seconds), generation: 1, jobUid: UID, ...extra });

function running(windows: number, eventsPerWindow = 100, audit = windows / 2): ReindexJobStatus {
  return {
    phase: 'Running',
    startedAt: at(0).toISOString(),
    resolvedTimeRange: { startTime: '2026-04-30T00:00:00.000Z', endTime: '2026-05-01T00:00:00.000Z' },
    progress: { totalEvents: windows * eventsPerWindow, processedEvents: 0, activitiesGenerated: 0, errors: 0, currentBatch: 0, totalBatches: windows, percent: 0 },
    windows: {
      total: windows, completed: 0, failed: 0, completedRanges: '', failedRanges: '',
      bySource: { audit: { total: audit, completed: 0, failed: 0 }, event: { total: windows - audit, completed: 0, failed: 0 } },
    },
    conditions: [{ type: 'Ready', status: 'False', reason: 'Running', message: 'started', lastTransitionTime: at(0).toISOString() }],
  };
}

function completed(index: number, extra: Partial<WindowCompleted> = {}, source: 'audit' | 'event' = 'audit'): WindowResult {
  return {
    kind: 'completed',
    data: { job: { name: 'j', uid: UID, generation: 1 }, window: { index, source }, processedEvents: 100, activitiesGenerated: 80, errors: 0, errorSamples: [], durationMs: 5, ...extra },
  };
}

const sourceOf = (i: number, audit: number) => (i < audit ? 'audit' : 'event') as 'audit' | 'event';

test('counts a window delivered twice once', () => {
  const first = reduceWindowResult(running(4), completed(1), ctx(10));
  const second = reduceWindowResult(first.status, completed(1), ctx(11));
  assert.deepEqual(second.dropped, ['duplicate']);
  assert.equal(second.status, first.status);
  assert.equal(second.status.windows!.completed, 1);
  assert.equal(second.status.progress!.processedEvents, 100);
  assert.equal(second.status.windows!.completedRanges, '1');
});

test('succeeds with exact totals, percent, rate and conditions when every window completed', () => {
  let status = running(4);
  const events = [];
  for (let i = 0; i < 4; i++) {
    const r = reduceWindowResult(status, completed(i, {}, sourceOf(i, 2)), ctx(10 * (i + 1)));
    status = r.status;
    events.push(...r.events);
  }
  assert.equal(status.phase, 'Succeeded');
  assert.equal(status.completedAt, at(40).toISOString());
  const { recent, ...counts } = status.progress!;
  assert.deepEqual(counts, { totalEvents: 400, processedEvents: 400, activitiesGenerated: 320, errors: 0, currentBatch: 4, totalBatches: 4, percent: 100 });
  assert.ok(recent!.length > 1);
  assert.equal(status.windows!.completedRanges, '0-3');
  assert.equal(status.eventsPerSecond, 10);
  assert.equal(status.estimatedCompletionTime, at(40).toISOString());
  assert.equal(status.timeRange, '2026-04-30T00:00:00.000Z/2026-05-01T00:00:00.000Z');
  const cond = Object.fromEntries(status.conditions!.map((c) => [c.type, c]));
  assert.equal(cond.Ready.status, 'True');
  assert.equal(cond.AuditLogsProcessed.status, 'True');
  assert.equal(cond.AuditLogsProcessed.lastTransitionTime, at(20).toISOString(), 'audit windows were all done at the second result');
  assert.equal(cond.EventsProcessed.status, 'True');
  assert.equal(cond.EventsProcessed.lastTransitionTime, at(40).toISOString());
  assert.deepEqual(events.map((e) => e.reason), ['Progress', 'Progress', 'Progress', 'Completed']);
  assert.match(events.at(-1)!.message, /400 events into 320 activities in 4 windows/);
});

test('estimates completion from the rate so far', () => {
  const r = reduceWindowResult(running(4), completed(0), ctx(20));
  assert.equal(r.status.eventsPerSecond, 5);
  assert.equal(r.status.estimatedCompletionTime, at(20 + 300 / 5).toISOString());
});

test('moves a condition transition time only when its status changes', () => {
  let status = running(20, 100, 10);
  status = reduceWindowResult(status, completed(0), ctx(1)).status;
  const first = status.conditions!.find((c) => c.type === 'AuditLogsProcessed')!;
  assert.equal(first.status, 'False');
  assert.equal(first.message, '1/10 audit log windows processed');
  status = reduceWindowResult(status, completed(1), ctx(2)).status;
  const second = status.conditions!.find((c) => c.type === 'AuditLogsProcessed')!;
  assert.equal(second.message, '2/10 audit log windows processed');
  assert.equal(second.lastTransitionTime, first.lastTransitionTime);
  assert.equal(status.conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime, at(0).toISOString());
});

test('reports progress at most every 10 percent', () => {
  let status = running(40);
  const progress: string[] = [];
  for (let i = 0; i < 39; i++) {
    const r = reduceWindowResult(status, completed(i, {}, sourceOf(i, 20)), ctx(i + 1));
    status = r.status;
    progress.push(...r.events.filter((e) => e.reason === 'Progress').map((e) => e.message.split('%')[0]));
  }
  assert.deepEqual(progress, ['10', '20', '30', '40', '50', '60', '70', '80', '90']);
});

test('fails the job naming the window that failed', () => {
  const r = reduceWindowResult(running(4), { kind: 'failed', data: { job: { name: 'j', uid: UID, generation: 1 }, window: { index: 2, source: 'event' }, reason: 'Unavailable', message: 'ClickHouse did not answer' } }, ctx(5));
  assert.equal(r.status.phase, 'Failed');
  assert.match(r.status.message!, /window 2 \(event\) failed: Unavailable: ClickHouse did not answer/);
  assert.equal(r.status.windows!.failedRanges, '2');
  assert.equal(r.status.windows!.failed, 1);
  assert.deepEqual(r.events.map((e) => [e.type, e.reason]), [['Warning', 'Failed']]);
  const cond = Object.fromEntries(r.status.conditions!.map((c) => [c.type, c]));
  assert.equal(cond.Ready.status, 'False');
  assert.equal(cond.Ready.reason, 'Failed');
  assert.equal(cond.EventsProcessed.reason, 'WindowFailed');
});

test('fails the job on a dead-lettered window, naming it and the last answer', () => {
  const result: WindowResult = {
    kind: 'dead-letter',
    errorCode: '503',
    errorData: 'NATS unreachable',
    data: {
      job: { name: 'j', uid: UID, generation: 1 },
      window: { index: 7, source: 'audit', from: '2026-04-30T01:00:00.000Z', to: '2026-04-30T02:00:00.000Z', expectedEvents: 100 },
      batchSize: 100, dryRun: false, rateLimit: 10, policies: [], discovery: {},
    },
  };
  const r = reduceWindowResult(running(8), result, ctx(5));
  assert.equal(r.status.phase, 'Failed');
  assert.match(r.status.message!, /window 7 \(audit, 2026-04-30T01:00:00.000Z to 2026-04-30T02:00:00.000Z\) was dead-lettered after its retries: HTTP 503: NATS unreachable/);
});

const failure = (index: number, source: 'audit' | 'event' = 'audit'): WindowResult => ({ kind: 'failed', data: { job: { name: 'j', uid: UID, generation: 1 }, window: { index, source }, reason: 'Unavailable', message: `w${index} down` } });

test('keeps folding into a Failed job: every failed window named, counts exact once the last window answers', () => {
  let status = reduceWindowResult(running(4), failure(0), ctx(1)).status;
  assert.equal(status.phase, 'Failed');
  assert.match(status.message!, /^Failed: 1 of 4 windows failed \(windows 0\); 0 completed so far; latest: window 0 \(audit\) failed: Unavailable: w0 down$/);
  const completedAt = status.completedAt;
  const late = reduceWindowResult(status, completed(1), ctx(2));
  assert.deepEqual(late.dropped, [undefined]);
  status = late.status;
  assert.equal(status.progress!.processedEvents, 100);
  const second = reduceWindowResult(status, failure(3, 'event'), ctx(3));
  assert.deepEqual(second.events.map((e) => [e.type, e.reason]), [['Warning', 'WindowFailed']]);
  status = reduceWindowResult(second.status, completed(2, {}, 'event'), ctx(4)).status;
  assert.equal(status.phase, 'Failed');
  assert.equal(status.completedAt, completedAt, 'finished when it failed');
  assert.deepEqual([status.windows!.completed, status.windows!.failed, status.windows!.failedRanges, status.windows!.completedRanges], [2, 2, '0,3', '1-2']);
  assert.equal(status.progress!.processedEvents, 200);
  // Processed events only: the two failed windows are not progress.
  assert.equal(status.progress!.percent, 50);
  assert.match(status.message!, /^Failed: 2 of 4 windows failed \(windows 0,3\); all 4 windows answered, 2 completed; latest: window 3 \(event\) failed: Unavailable: w3 down$/);
  assert.equal(status.conditions!.find((c) => c.type === 'Ready')!.message, status.message);
  // A duplicate after that still changes nothing.
  assert.deepEqual(reduceWindowResult(status, completed(1), ctx(5)).dropped, ['duplicate']);
});

test('leaves a Succeeded job alone when a late result arrives', () => {
  let status = running(1, 100, 1);
  status = reduceWindowResult(status, completed(0), ctx(1)).status;
  assert.equal(status.phase, 'Succeeded');
  const late = reduceWindowResult(status, completed(0), ctx(2));
  assert.deepEqual(late.dropped, ['finished']);
  assert.equal(late.status, status);
  assert.deepEqual(late.events, []);
});

test('folds results that arrived together in one pass, as one by one would', () => {
  let oneByOne = running(6);
  for (const i of [4, 0, 2, 1]) oneByOne = reduceWindowResult(oneByOne, completed(i, { errors: i }, sourceOf(i, 3)), ctx(10)).status;
  const inputs = [4, 0, 2, 4, 1].map((i) => ({ kind: 'result' as const, result: completed(i, { errors: i }, sourceOf(i, 3)) }));
  const together = reduceStatus(running(6), inputs, ctx(10));
  assert.deepEqual(together.dropped, [undefined, undefined, undefined, 'duplicate', undefined]);
  assert.deepEqual(together.status, oneByOne);
  assert.equal(together.status.windows!.completedRanges, '0-2,4');
});

test('drops a result for another job with the same name', () => {
  const r = reduceWindowResult(running(4), completed(0), ctx(1, { jobUid: 'other' }));
  assert.deepEqual(r.dropped, ['other-job']);
  assert.equal(r.status.windows!.completed, 0);
});

test('fails the job once errors exceed a count budget, naming the budget', () => {
  let r = reduceWindowResult(running(4), completed(0, { errors: 3 }), ctx(1, { maxErrors: 5 }));
  assert.equal(r.status.phase, 'Running');
  r = reduceWindowResult(r.status, completed(1, { errors: 3 }), ctx(2, { maxErrors: 5 }));
  assert.equal(r.status.phase, 'Failed');
  assert.match(r.status.message!, /6 errors exceed the maxErrors budget of 5/);
  assert.deepEqual(r.events.map((e) => e.reason), ['Failed']);
});

test('fails the job once errors exceed a percent budget', () => {
  const r = reduceWindowResult(running(4), completed(0, { errors: 1 }), ctx(1, { maxErrors: '0.5%' }));
  assert.equal(r.status.phase, 'Failed');
  assert.match(r.status.message!, /1 errors in 100 processed events \(1\.00%\) exceed the maxErrors budget of 0\.5%/);
});

test('groups error samples by kind across windows, with a count each, at most 20 kinds', () => {
  let status = running(4);
  // Window 0: one rule failing on 40 rows, and 2 malformed rows; window 1 the same rule again and 25 new kinds.
  const celErrors = { originId: 'w0-a', policy: 'p', rule: 'r', message: "no such key: 'replicas'", type: 'evaluation', count: 40 };
  const malformed = { originId: 'w0-b', policy: '', rule: '', message: 'malformed row: unexpected end', type: 'malformed_row', count: 2 };
  status = reduceWindowResult(status, completed(0, { errors: 42, errorSamples: [celErrors, malformed] }), ctx(1)).status;
  const again = { ...celErrors, originId: 'w1-a', count: 7 };
  const others = Array.from({ length: 9 }, (_, k) => ({ originId: `w1-${k}`, policy: `q${k}`, rule: 'r', message: 'bad', type: 'evaluation' }));
  status = reduceWindowResult(status, completed(1, { errors: 16, errorSamples: [again, ...others] }), ctx(2)).status;
  assert.deepEqual(status.errorSamples!.slice(0, 2).map((s) => [s.originId, s.type, s.count]), [['w0-a', 'evaluation', 47], ['w0-b', 'malformed_row', 2]]);
  assert.equal(status.errorSamples!.length, 11);
  const more = Array.from({ length: 10 }, (_, k) => ({ originId: `w2-${k}`, policy: `z${k}`, rule: 'r', message: 'bad', type: 'evaluation' }));
  status = reduceWindowResult(status, completed(2, { errors: 10, errorSamples: more }), ctx(3)).status;
  assert.equal(status.errorSamples!.length, 20);
  assert.equal(status.errorSamples![19].originId, 'w2-8');
  assert.equal(status.progress!.errors, 68);
});

test('sums dry-run reports the windows carry, whatever the spec says now, and keeps five samples of each kind', () => {
  const sample = (id: string) => ({ originId: id });
  const dry = (n: number) => ({ wouldCreate: n, wouldChange: 1, unchanged: 2, wouldOrphan: 0, samples: { create: [1, 2, 3].map((k) => sample(`c${n}-${k}`)), change: [sample(`x${n}`)], orphan: [] } });
  let status = running(4);
  status = reduceWindowResult(status, completed(0, { dryRun: dry(3) }), ctx(1)).status;
  status = reduceWindowResult(status, completed(1, { dryRun: dry(4) }), ctx(2)).status;
  assert.equal(status.dryRunReport!.wouldCreate, 7);
  assert.equal(status.dryRunReport!.wouldChange, 2);
  assert.equal(status.dryRunReport!.unchanged, 4);
  assert.deepEqual(status.dryRunReport!.samples.create.map((s) => s.originId), ['c3-1', 'c3-2', 'c3-3', 'c4-1', 'c4-2']);
  assert.equal(status.dryRunReport!.samples.change.length, 2);
});

test('every condition it writes carries the generation of the job it read', () => {
  let status = running(2, 100, 1);
  status = reduceWindowResult(status, completed(0), ctx(1, { generation: 3 })).status;
  assert.deepEqual(status.conditions!.filter((c) => c.type !== 'Ready').map((c) => c.observedGeneration), [3, 3]);
  status = reduceWindowResult(status, completed(1, {}, 'event'), ctx(2, { generation: 4 })).status;
  assert.equal(status.phase, 'Succeeded');
  assert.deepEqual(status.conditions!.map((c) => [c.type, c.observedGeneration]), [['Ready', 4], ['AuditLogsProcessed', 4], ['EventsProcessed', 4]]);
});
