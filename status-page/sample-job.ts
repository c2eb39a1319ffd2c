import type { ReindexJob } from '../shared/api/reindex-job.js';
import type { WindowSpec } from '../shared/contracts/window-requested.js';
import type { MemoryJob } from './memory-job-source.js';
import { formatWindowRanges, parseWindowRanges, windowIndexes, windowRangesOf } from '../shared/contracts/window-ranges.js';

const HOUR = 3_600_000;

/**
 * A Running job over `hours` hours, planned as one window per hour per
 * source (audit first, then event), none answered yet: the state the page
 * tests and demos start from.
 */
export function sampleRunningJob(name: string, start: Date, hours: number, createdAt = start): MemoryJob {
  const plan: WindowSpec[] = [];
  for (const source of ['audit', 'event'] as const) {
    for (let h = 0; h < hours; h++) {
      plan.push({
        index: plan.length,
        source,
        from: new Date(start.getTime() + h * HOUR).toISOString(),
        to: new Date(start.getTime() + (h + 1) * HOUR).toISOString(),
        expectedEvents: source === 'audit' ? 1000 + 37 * h : 300 + 11 * h,
      });
    }
  }
  const totalEvents = plan.reduce((n, w) => n + w.expectedEvents, 0);
  const job: ReindexJob = {
    apiVersion: 'activity.miloapis.com/v1alpha1',
    kind: 'ReindexJob',
    metadata: { name, uid: `uid-${name}`, generation: 1, creationTimestamp: createdAt.toISOString() },
    spec: { timeRange: { startTime: start.toISOString(), endTime: new Date(start.getTime() + hours * HOUR).toISOString() } },
    status: {
      phase: 'Running',
      observedGeneration: 1,
      startedAt: createdAt.toISOString(),
      resolvedTimeRange: { startTime: plan[0].from, endTime: plan[hours - 1].to },
      progress: { totalEvents, processedEvents: 0, activitiesGenerated: 0, errors: 0, currentBatch: 0, totalBatches: plan.length, percent: 0 },
      windows: { total: plan.length, completed: 0, failed: 0, completedRanges: '', failedRanges: '' },
      conditions: [
        { type: 'Ready', status: 'False', reason: 'Running', message: 'windows are being processed', lastTransitionTime: createdAt.toISOString() },
      ],
    },
  };
  return { job, plan, events: [{ type: 'Normal', reason: 'Started', message: `Planned ${plan.length} windows`, time: createdAt.toISOString() }], emitted: [] };
}

/** Folds window results into the sample's status, as functions/aggregator/reduce.ts does. */
export function answerWindows(
  sample: MemoryJob,
  results: { completed?: number[]; failed?: { index: number; reason: string; message: string }[] },
  at: Date,
  eventsPerSecond?: number,
): void {
  const status = sample.job.status!;
  const completed = new Set([...windowIndexes(parseWindowRanges(status.windows!.completedRanges)), ...(results.completed ?? [])]);
  const failed = new Set([...windowIndexes(parseWindowRanges(status.windows!.failedRanges)), ...(results.failed ?? []).map((f) => f.index)]);
  const processed = sample.plan!.filter((w) => completed.has(w.index)).reduce((n, w) => n + w.expectedEvents, 0);
  const total = status.progress!.totalEvents;
  status.windows = {
    total: sample.plan!.length,
    completed: completed.size,
    failed: failed.size,
    completedRanges: formatWindowRanges(windowRangesOf(completed)),
    failedRanges: formatWindowRanges(windowRangesOf(failed)),
  };
  status.progress = { ...status.progress!, processedEvents: processed, activitiesGenerated: Math.floor(processed * 0.8), currentBatch: completed.size, percent: Math.floor((100 * processed) / total) };
  status.eventsPerSecond = eventsPerSecond;
  // As the aggregator does: the first failed window ends the job, naming it.
  const [first] = results.failed ?? [];
  if (first) {
    const source = sample.plan!.find((w) => w.index === first.index)?.source;
    const message = `Failed: window ${first.index} (${source}) failed: ${first.reason}: ${first.message}`;
    status.phase = 'Failed';
    status.message = message;
    status.completedAt = at.toISOString();
    status.conditions = [
      ...(status.conditions ?? []).filter((c) => c.type !== 'Ready'),
      { type: 'Ready', status: 'False', reason: 'Failed', message, lastTransitionTime: at.toISOString() },
    ];
    sample.events!.push({ type: 'Warning', reason: 'Failed', message, time: at.toISOString() });
  }
}
