import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReindexJobStatus } from '../../shared/api/reindex-job.js';
import type { WindowProgress } from '../../shared/contracts/window-progress.js';
import { reduceWindowProgress, reduceWindowResult, type ReduceContext } from './reduce.js';
import { recentRate, recordSample } from './recent-rate.js';
import type { WindowResult } from './window-result.js';

const UID = 'uid-1';
const START = Date.parse('2026-05-01T10:00:00.000Z');
const at = (seconds: number) => new Date(START + seconds * 1000);
const ctx = (seconds: number): ReduceContext => ({ now: at(seconds), generation: 1, jobUid: UID });
const job = { name: 'j', uid: UID, generation: 1 };

/**
 * One window at a time of 1,500 events at RATE events/s (25 s each),
 * reporting every 5 s as the window function does, each result 1 s after
 * its last event, the next window emitted 1 s later. The clock is injected:
 * this is the aggregator's pure fold, driven as the Broker would.
 */
const RATE = 60;
const PER_WINDOW = 1_500;

function simulation(windows: number) {
  let status: ReindexJobStatus = {
    phase: 'Running',
    startedAt: at(0).toISOString(),
    progress: { totalEvents: windows * PER_WINDOW, processedEvents: 0, activitiesGenerated: 0, errors: 0, currentBatch: 0, totalBatches: windows, percent: 0 },
    windows: { total: windows, completed: 0, failed: 0, completedRanges: '', failedRanges: '' },
  };
  let next = 0;
  return {
    get status() {
      return status;
    },
    setPhase(phase: ReindexJobStatus['phase']) {
      status = { ...status, phase };
    },
    /** Runs the next window from `t` (seconds); returns when its result landed. */
    runWindow(t: number): number {
      const index = next++;
      const seconds = PER_WINDOW / RATE;
      for (let s = 5; s < seconds; s += 5) {
        const report: WindowProgress = { job, window: { index, source: 'audit' }, processedEvents: RATE * s, activitiesGenerated: 0, errors: 0, elapsedMs: s * 1000 };
        status = reduceWindowProgress(status, report, ctx(t + s)).status;
      }
      const result: WindowResult = { kind: 'completed', data: { job, window: { index, source: 'audit' }, processedEvents: PER_WINDOW, activitiesGenerated: 0, errors: 0, errorSamples: [], durationMs: seconds * 1000 } };
      status = reduceWindowResult(status, result, ctx(t + seconds + 1)).status;
      return t + seconds + 1;
    },
  };
}

const within = (actual: number | undefined, expected: number, share: number) =>
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= share * expected, `${actual} within ${share * 100}% of ${expected}`);

test('after a suspend of 60 s and a resume, eventsPerSecond is back within 10% of the true rate within a minute, with no estimate while suspended', () => {
  const sim = simulation(40);
  let t = 0;
  while (t < 90) t = sim.runWindow(t) + 1;
  // Steady state: the window function's rate less the gaps between windows.
  const steady = (PER_WINDOW / (PER_WINDOW / RATE + 2));
  within(sim.status.eventsPerSecond, steady, 0.1);
  assert.ok(Date.parse(sim.status.estimatedCompletionTime!) > at(t).getTime());

  // Suspended: the controller emits nothing more; the window in flight finishes while suspended.
  sim.setPhase('Suspended');
  const suspendedAt = t;
  t = sim.runWindow(t);
  assert.equal(sim.status.estimatedCompletionTime, undefined, 'no ETA while suspended');
  t = suspendedAt + 60;

  // Resumed: windows again, and a minute later the rate is the true one again.
  sim.setPhase('Running');
  const resumedAt = t;
  while (t < resumedAt + 60) t = sim.runWindow(t) + 1;
  within(sim.status.eventsPerSecond, steady, 0.1);
  assert.ok(Date.parse(sim.status.estimatedCompletionTime!) > at(t).getTime(), 'an ETA again, in the future');
  // What processed ÷ time since start says then: more than 10% too low.
  const sinceStart = sim.status.progress!.processedEvents / t;
  assert.ok(sinceStart < 0.9 * steady, `the old formula gives ${sinceStart}`);
});

test('inside one long window, the rate comes from its progress reports', () => {
  const sim = simulation(1);
  // 1,500 events at 60/s: reports at 5, 10, 15, 20 s; no result yet at 20 s.
  const report = (s: number): WindowProgress => ({ job, window: { index: 0, source: 'audit' }, processedEvents: RATE * s, activitiesGenerated: 0, errors: 0, elapsedMs: s * 1000 });
  let status = sim.status;
  for (const s of [5, 10, 15, 20]) status = reduceWindowProgress(status, report(s), ctx(s)).status;
  within(status.eventsPerSecond, RATE, 0.01);
  assert.equal(status.progress!.processedEvents, 1_200);
  assert.equal(status.estimatedCompletionTime, at(25).toISOString());
});

test('samples stay about 2 s apart and cover only the last minute (plus the baseline)', () => {
  let samples = recordSample(undefined, at(0), 0);
  for (let ms = 500; ms <= 300_000; ms += 500) samples = recordSample(samples, new Date(START + ms), ms / 10);
  assert.ok(samples.length <= 32, `${samples.length} samples`);
  assert.ok(Date.parse(samples[0]!.at) <= at(240).getTime() && Date.parse(samples[1]!.at) > at(240).getTime());
  within(recentRate(samples, at(300), at(0).toISOString()), 100, 0.01);
});
