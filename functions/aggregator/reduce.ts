// The aggregator's one decision, pure: fold what arrived for a job (window
// results, and any other kind of status input added to StatusInput) into its
// status. Each window counts once (completedRanges / failedRanges), so a
// result the Broker delivers twice, or a write retried after a 409, changes
// nothing the second time. Inputs that arrived together fold in one pass:
// the range lists are parsed and printed once per write, not per result.
import { type ReindexJobStatus, type SourceWindows } from '../../shared/api/reindex-job.js';
import { groupErrorSamples } from '../../shared/contracts/window-completed.js';
import { exceedsErrorBudget, parseMaxErrors } from '../../shared/api/reindex-job-validation.js';
import type { Source } from '../../shared/contracts/window-requested.js';
import { addWindow, formatWindowRanges, hasWindow, parseWindowRanges } from '../../shared/contracts/window-ranges.js';
import type { JobEvent } from '../../shared/kube/job-event.js';
import { setCondition } from '../../shared/api/set-condition.js';
import { describeDryRun } from './describe-dry-run.js';
import { foldDryRun } from './fold-dry-run.js';
import type { WindowProgress } from '../../shared/contracts/window-progress.js';
import { addInFlight, settleInFlight } from './in-flight-progress.js';
import { updateRecentRate } from './recent-rate.js';
import type { WindowResult } from './window-result.js';

export const MAX_ERROR_SAMPLES = 20;

/**
 * What the status writer folds: window results, and the reports of windows
 * still running (window.progress), folded as in-flight progress (see
 * in-flight-progress.ts). Another kind joins as another member and another case below.
 */
export type StatusInput = { kind: 'result'; result: WindowResult } | { kind: 'progress'; report: WindowProgress };

export interface ReduceContext {
  now: Date;
  /** spec.config.maxErrors: a count, or a percent of processed events ("0.5%"). */
  maxErrors?: number | string;
  /** metadata.generation of the job as read: every condition written says which spec it reflects. */
  generation: number;
  /** The job's uid: a result for another uid (a deleted and re-created job) is dropped. */
  jobUid?: string;
}

/** 'finished': the job Succeeded, so every window has counted already. */
export type DropReason = 'other-job' | 'finished' | 'duplicate';

export interface Reduction {
  status: ReindexJobStatus;
  events: JobEvent[];
  /** Per input, in order: why it changed nothing, or undefined when it was folded. */
  dropped: (DropReason | undefined)[];
}

const LATEST = '; latest: ';
const SOURCE_CONDITION: Record<Source, string> = { audit: 'AuditLogsProcessed', event: 'EventsProcessed' };
const SOURCE_NOUN: Record<Source, string> = { audit: 'audit log', event: 'event' };

function describeFailure(result: Exclude<WindowResult, { kind: 'completed' }>): string {
  const { index, source } = result.data.window;
  if (result.kind === 'failed') return `window ${index} (${source}) failed: ${result.data.reason}: ${result.data.message}`;
  const { from, to } = result.data.window;
  const cause = [result.errorCode && `HTTP ${result.errorCode}`, result.errorData].filter(Boolean).join(': ');
  return `window ${index} (${source}, ${from} to ${to}) was dead-lettered after its retries${cause ? `: ${cause}` : ''}`;
}

function percentOf(done: number, total: number): number {
  return total > 0 ? Math.min(100, Math.floor((100 * done) / total)) : 0;
}

/**
 * Processed events only: a failed window is not progress. Never 100 before
 * the job has Succeeded (rows stored after planning can take processed past
 * the planned total).
 */
function processedPercent(progress: NonNullable<ReindexJobStatus['progress']>): number {
  return Math.min(99, percentOf(progress.processedEvents, progress.totalEvents));
}

function sourceCondition(status: ReindexJobStatus, source: Source, now: Date, observedGeneration: number): ReindexJobStatus['conditions'] {
  const type = SOURCE_CONDITION[source];
  const noun = SOURCE_NOUN[source];
  const counts: SourceWindows | undefined = status.windows?.bySource?.[source];
  const failed = status.phase === 'Failed';
  if (!counts) {
    if (status.phase === 'Succeeded') return setCondition(status.conditions, { type, status: 'True', reason: 'AllWindowsCompleted', message: `Every ${noun} window was processed`, observedGeneration }, now);
    if (failed) return setCondition(status.conditions, { type, status: 'False', reason: 'JobFailed', message: status.message ?? 'The job failed', observedGeneration }, now);
    return status.conditions;
  }
  if (counts.failed > 0) return setCondition(status.conditions, { type, status: 'False', reason: 'WindowFailed', message: `${counts.failed} ${noun} window(s) failed`, observedGeneration }, now);
  if (counts.completed >= counts.total) return setCondition(status.conditions, { type, status: 'True', reason: 'AllWindowsCompleted', message: `All ${counts.total} ${noun} windows were processed`, observedGeneration }, now);
  const reason = failed ? 'JobFailed' : 'InProgress';
  return setCondition(status.conditions, { type, status: 'False', reason, message: `${counts.completed}/${counts.total} ${noun} windows processed`, observedGeneration }, now);
}

/** One report alone: reduceStatus of one input. */
export function reduceWindowProgress(current: ReindexJobStatus, report: WindowProgress, ctx: ReduceContext): Reduction {
  return reduceStatus(current, [{ kind: 'progress', report }], ctx);
}

/** One result alone: reduceStatus of one input. */
export function reduceWindowResult(current: ReindexJobStatus, result: WindowResult, ctx: ReduceContext): Reduction & { dropped: (DropReason | undefined)[] } {
  return reduceStatus(current, [{ kind: 'result', result }], ctx);
}

/**
 * Folds inputs into a status. A Failed job keeps counting: results of the
 * windows still in flight when it failed are folded like any other, so its
 * counts end exact and every failed window is named; only a Succeeded job
 * (every window counted) drops what comes late.
 */
export function reduceStatus(current: ReindexJobStatus, inputs: readonly StatusInput[], ctx: ReduceContext): Reduction {
  const dropped: (DropReason | undefined)[] = [];
  const before = current.windows ?? { total: 0, completed: 0, failed: 0, completedRanges: '', failedRanges: '' };
  let completedRanges = parseWindowRanges(before.completedRanges);
  let failedRanges = parseWindowRanges(before.failedRanges);
  const status: ReindexJobStatus = structuredClone(current);
  const windows = (status.windows = structuredClone(before));
  const progress = (status.progress ??= { totalEvents: 0, processedEvents: 0, activitiesGenerated: 0, errors: 0, currentBatch: 0, totalBatches: windows.total });
  const percentBefore = progress.percent ?? percentOf(before.completed + before.failed, before.total);
  let latestFailure: string | undefined;

  for (const input of inputs) {
    const data = input.kind === 'result' ? input.result.data : input.report;
    if (ctx.jobUid !== undefined && data.job.uid !== ctx.jobUid) {
      dropped.push('other-job');
      continue;
    }
    if (current.phase === 'Succeeded') {
      dropped.push('finished');
      continue;
    }
    const { index, source } = data.window;
    // A report can arrive after its window's result: the result has the counts.
    if (hasWindow(completedRanges, index) || hasWindow(failedRanges, index) || (input.kind === 'progress' && index >= windows.total)) {
      dropped.push('duplicate');
      continue;
    }
    if (input.kind === 'progress') {
      dropped.push(addInFlight(progress, input.report) ? undefined : 'duplicate');
      continue;
    }
    const result = input.result;
    dropped.push(undefined);
    const bySource = windows.bySource?.[source];
    // What the window reported while it ran gives way to its result.
    settleInFlight(progress, index);
    if (result.kind === 'completed') {
      const data = result.data;
      windows.completed += 1;
      completedRanges = addWindow(completedRanges, index);
      if (bySource) bySource.completed += 1;
      progress.processedEvents += data.processedEvents;
      progress.activitiesGenerated += data.activitiesGenerated;
      progress.errors += data.errors;
      if (data.flowControlWaitMs) progress.flowControlWaitSeconds = Math.round(((progress.flowControlWaitSeconds ?? 0) + data.flowControlWaitMs / 1000) * 1000) / 1000;
      // Grouped by kind across windows: a count per kind, not the first twenty repeats.
      if (data.errorSamples.length > 0) status.errorSamples = groupErrorSamples(status.errorSamples ?? [], data.errorSamples, MAX_ERROR_SAMPLES);
      // A window says whether it was a dry run; the controller fixed that for the job at its start.
      if (data.dryRun) status.dryRunReport = foldDryRun(status.dryRunReport, data.dryRun);
    } else {
      windows.failed += 1;
      failedRanges = addWindow(failedRanges, index);
      if (bySource) bySource.failed += 1;
      latestFailure = describeFailure(result);
    }
  }
  if (dropped.every((d) => d !== undefined)) return { status: current, events: [], dropped };

  const now = ctx.now;
  const events: JobEvent[] = [];
  windows.completedRanges = formatWindowRanges(completedRanges);
  windows.failedRanges = formatWindowRanges(failedRanges);
  const done = windows.completed + windows.failed;
  progress.currentBatch = done;
  progress.totalBatches = windows.total;
  progress.percent = processedPercent(progress);
  if (!status.timeRange && status.resolvedTimeRange) status.timeRange = `${status.resolvedTimeRange.startTime}/${status.resolvedTimeRange.endTime}`;
  // A Failed job's rate and estimate mean nothing any more; its counts still move.
  if (status.phase !== 'Failed') updateRecentRate(status, now);

  const wasFailed = current.phase === 'Failed';
  const budget = parseMaxErrors(ctx.maxErrors);
  if (windows.failed > 0) {
    // The counts change with every late result; the latest failure's words stay until another fails.
    const latest = latestFailure ?? current.message?.split(LATEST)[1] ?? 'see status.windows.failedRanges';
    const answered = done >= windows.total ? `all ${windows.total} windows answered, ${windows.completed} completed` : `${windows.completed} completed so far`;
    status.phase = 'Failed';
    status.message = `Failed: ${windows.failed} of ${windows.total} windows failed (windows ${windows.failedRanges}); ${answered}${LATEST}${latest}`;
  } else if (!wasFailed && exceedsErrorBudget(budget, progress.errors, progress.processedEvents)) {
    status.phase = 'Failed';
    status.message = budget!.kind === 'count'
      ? `Failed: ${progress.errors} errors exceed the maxErrors budget of ${budget!.value}`
      : `Failed: ${progress.errors} errors in ${progress.processedEvents} processed events (${((100 * progress.errors) / progress.processedEvents).toFixed(2)}%) exceed the maxErrors budget of ${budget!.value}%`;
  } else if (!wasFailed && windows.total > 0 && windows.completed >= windows.total) {
    status.phase = 'Succeeded';
    const errorsNote = progress.errors ? ` (${progress.errors} errors)` : '';
    status.message = status.dryRunReport
      ? `${describeDryRun(status.dryRunReport)}${errorsNote}`
      : `Processed ${progress.processedEvents} events into ${progress.activitiesGenerated} activities in ${windows.total} windows${errorsNote}`;
  }

  if (status.phase === 'Succeeded') progress.percent = 100;
  if (status.phase === 'Failed' || status.phase === 'Succeeded') {
    const ok = status.phase === 'Succeeded';
    if (!wasFailed) {
      status.completedAt = now.toISOString();
      status.estimatedCompletionTime = status.completedAt;
      events.push(ok ? { type: 'Normal', reason: 'Completed', message: status.message! } : { type: 'Warning', reason: 'Failed', message: status.message! });
    } else if (latestFailure) {
      events.push({ type: 'Warning', reason: 'WindowFailed', message: latestFailure });
    }
    status.conditions = setCondition(status.conditions, { type: 'Ready', status: ok ? 'True' : 'False', reason: ok ? 'Succeeded' : 'Failed', message: status.message!, observedGeneration: ctx.generation }, now);
  } else {
    if (!status.conditions?.some((c) => c.type === 'Ready')) {
      status.conditions = setCondition(status.conditions, { type: 'Ready', status: 'False', reason: 'Running', message: 'Windows are being processed', observedGeneration: ctx.generation }, now);
    }
    if (Math.floor((progress.percent ?? 0) / 10) > Math.floor(percentBefore / 10)) {
      events.push({ type: 'Normal', reason: 'Progress', message: `${progress.percent}% done: ${done}/${windows.total} windows, ${progress.processedEvents}/${progress.totalEvents} events` });
    }
  }
  status.conditions = sourceCondition(status, 'audit', now, ctx.generation);
  status.conditions = sourceCondition(status, 'event', now, ctx.generation);
  return { status, events, dropped };
}
