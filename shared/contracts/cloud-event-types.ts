// CloudEvent types and attribute conventions shared by producers and
// consumers (DESIGN.md §4.2).

export const WINDOW_REQUESTED = 'com.miloapis.activity.reindex.window.requested';
export const WINDOW_COMPLETED = 'com.miloapis.activity.reindex.window.completed';
export const WINDOW_FAILED = 'com.miloapis.activity.reindex.window.failed';
/** Best-effort counts of a window still running, every few seconds (window-progress.ts). */
export const WINDOW_PROGRESS = 'com.miloapis.activity.reindex.window.progress';

export const WINDOW_FUNCTION_SOURCE = '/functions/window';

export function controllerSource(jobName: string): string {
  return `/controller/reindexjobs/${jobName}`;
}

export function windowSubject(jobName: string, index: number): string {
  return `reindexjobs/${jobName}/windows/${index}`;
}

export function requestedId(jobUid: string, index: number): string {
  return `${jobUid}-w${index}`;
}

export function resultId(jobUid: string, index: number): string {
  return `${jobUid}-w${index}-result`;
}

/**
 * One id per window and count: a report the Broker delivers twice, or the
 * same count reported again by a retried window, is the same report.
 */
export function progressId(jobUid: string, index: number, processedEvents: number): string {
  return `${jobUid}-w${index}-p${processedEvents}`;
}

/** CloudEvent extension attributes carried by every window event. */
export const EXT_JOB = 'reindexjob';
export const EXT_WINDOW = 'reindexwindow';
