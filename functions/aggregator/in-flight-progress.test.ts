import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReindexJobStatus } from '../../shared/api/reindex-job.js';
import type { WindowProgress } from '../../shared/contracts/window-progress.js';
import { reduceStatus, reduceWindowProgress, reduceWindowResult, type ReduceContext } from './reduce.js';
import type { WindowResult } from './window-result.js';

const UID = 'uid-1';
const START = Date.parse('2026-05-01T10:00:00.000Z');
const at = (seconds: number) => new Date(START + seconds * 1000);
const ctx = (seconds: number): ReduceContext => ({ now: at(seconds), generation: 1, jobUid: UID });

function running(windows: number, eventsPerWindow: number): ReindexJobStatus {
  return {
    phase: 'Running',
    startedAt: at(0).toISOString(),
    progress: { totalEvents: windows * eventsPerWindow, processedEvents: 0, activitiesGenerated: 0, errors: 0, currentBatch: 0, totalBatches: windows, percent: 0 },
    windows: { total: windows, completed: 0, failed: 0, completedRanges: '', failedRanges: '' },
  };
}
const report = (index: number, processedEvents: number, activitiesGenerated = Math.floor(processedEvents / 2), errors = 0): WindowProgress => ({
  job: { name: 'j', uid: UID, generation: 1 },
  window: { index, source: 'audit' },
  processedEvents,
  activitiesGenerated,
  errors,
  elapsedMs: 1000,
});
const completed = (index: number, processedEvents: number, activitiesGenerated: number, errors = 0): WindowResult => ({
  kind: 'completed',
  data: { job: { name: 'j', uid: UID, generation: 1 }, window: { index, source: 'audit' }, processedEvents, activitiesGenerated, errors, errorSamples: [], durationMs: 5 },
});
const counts = (s: ReindexJobStatus) => [s.progress!.processedEvents, s.progress!.activitiesGenerated, s.progress!.errors];

test('reports of running windows move the totals and the percent, and their results replace them without counting twice', () => {
  let status = running(2, 1000);
  status = reduceWindowProgress(status, report(0, 300, 100, 1), ctx(5)).status;
  status = reduceWindowProgress(status, report(1, 200, 50), ctx(6)).status;
  assert.deepEqual(counts(status), [500, 150, 1]);
  assert.equal(status.progress!.percent, 25);
  assert.deepEqual(status.progress!.inFlight!.map((w) => [w.index, w.processedEvents]), [[0, 300], [1, 200]]);
  status = reduceWindowProgress(status, report(0, 700, 300, 2), ctx(10)).status;
  assert.deepEqual(counts(status), [900, 350, 2]);
  // The result of window 0: its last report (700) gives way to its counts (1000).
  status = reduceWindowResult(status, completed(0, 1000, 420, 3), ctx(12)).status;
  assert.deepEqual(counts(status), [1200, 470, 3]);
  assert.deepEqual(status.progress!.inFlight!.map((w) => w.index), [1]);
  status = reduceWindowResult(status, completed(1, 1000, 400), ctx(15)).status;
  assert.deepEqual(counts(status), [2000, 820, 3]);
  assert.equal(status.progress!.inFlight, undefined);
  assert.equal(status.phase, 'Succeeded');
  assert.equal(status.progress!.percent, 100);
});

test('a report that arrives late (after its result, or older than one folded) changes nothing', () => {
  let status = running(2, 1000);
  status = reduceWindowProgress(status, report(0, 600), ctx(5)).status;
  const older = reduceWindowProgress(status, report(0, 400), ctx(6));
  assert.deepEqual(older.dropped, ['duplicate']);
  assert.equal(older.status, status);
  status = reduceWindowResult(status, completed(0, 1000, 500), ctx(8)).status;
  const afterResult = reduceWindowProgress(status, report(0, 900), ctx(9));
  assert.deepEqual(afterResult.dropped, ['duplicate']);
  assert.deepEqual(counts(afterResult.status), [1000, 500, 0]);
  assert.deepEqual(reduceWindowProgress(status, report(7, 10), ctx(9)).dropped, ['duplicate'], 'no such window');
  assert.deepEqual(reduceWindowProgress(status, { ...report(1, 10), job: { name: 'j', uid: 'other', generation: 1 } }, ctx(9)).dropped, ['other-job']);
});

test('a failed window is not progress: what it reported leaves the totals and the percent', () => {
  let status = running(4, 1000);
  status = reduceWindowProgress(status, report(2, 800), ctx(5)).status;
  assert.equal(status.progress!.percent, 20);
  const failed: WindowResult = { kind: 'failed', data: { job: { name: 'j', uid: UID, generation: 1 }, window: { index: 2, source: 'audit' }, reason: 'ReadFailed', message: 'ClickHouse down' } };
  status = reduceWindowResult(status, failed, ctx(9)).status;
  assert.equal(status.phase, 'Failed');
  assert.deepEqual(counts(status), [0, 0, 0]);
  assert.equal(status.progress!.percent, 0);
});

test('the percent stays under 100 until the job has Succeeded, even past the planned total', () => {
  let status = running(2, 1000);
  status = reduceWindowResult(status, completed(0, 1500, 0), ctx(5)).status;
  status = reduceWindowProgress(status, report(1, 600), ctx(6)).status;
  assert.equal(status.progress!.processedEvents, 2100);
  assert.equal(status.progress!.percent, 99);
});

test('reports and results that arrive together fold in one pass, a report behind its own result dropped', () => {
  const status = running(2, 1000);
  const inputs = [
    { kind: 'progress' as const, report: report(0, 400) },
    { kind: 'progress' as const, report: report(1, 300) },
    { kind: 'result' as const, result: completed(0, 1000, 500) },
    { kind: 'progress' as const, report: report(0, 900) },
  ];
  const folded = reduceStatus(status, inputs, ctx(7));
  assert.deepEqual(folded.dropped, [undefined, undefined, undefined, 'duplicate']);
  assert.deepEqual(counts(folded.status), [1300, 650, 0]);
  assert.deepEqual(folded.status.progress!.inFlight, [{ index: 1, processedEvents: 300, activitiesGenerated: 150, errors: 0 }]);
});
