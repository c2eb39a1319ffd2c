// In-flight progress, pure: what running windows have reported so far
// (window.progress) is kept per window in status.progress.inFlight and
// included in the job's totals. A window's result takes its entry's counts
// out before its own go in, so nothing counts twice, and the totals never
// run ahead of what the windows finally report (a retried window re-reads
// the same rows, so no report exceeds its result).
import type { InFlightWindow, ReindexJobStatus } from '../../shared/api/reindex-job.js';
import type { WindowProgress } from '../../shared/contracts/window-progress.js';

type Progress = NonNullable<ReindexJobStatus['progress']>;
const COUNTS = ['processedEvents', 'activitiesGenerated', 'errors'] as const;

/**
 * Folds one report into `progress` (mutated). False when it changes
 * nothing: the window has already reported as much (reports may arrive out
 * of order, and a retried window starts again from zero).
 */
export function addInFlight(progress: Progress, report: WindowProgress): boolean {
  const index = report.window.index;
  const inFlight = (progress.inFlight ??= []);
  const current = inFlight.find((w) => w.index === index);
  if (current && current.processedEvents >= report.processedEvents) return false;
  const next: InFlightWindow = { index, processedEvents: report.processedEvents, activitiesGenerated: report.activitiesGenerated, errors: report.errors };
  for (const key of COUNTS) progress[key] += next[key] - (current?.[key] ?? 0);
  if (current) Object.assign(current, next);
  else inFlight.push(next);
  inFlight.sort((a, b) => a.index - b.index);
  return true;
}

/** The window answered (completed or failed): its reported counts leave the totals (mutates `progress`). */
export function settleInFlight(progress: Progress, index: number): void {
  const at = progress.inFlight?.findIndex((w) => w.index === index) ?? -1;
  if (at < 0) return;
  const [settled] = progress.inFlight!.splice(at, 1);
  for (const key of COUNTS) progress[key] -= settled![key];
  if (progress.inFlight!.length === 0) delete progress.inFlight;
}
