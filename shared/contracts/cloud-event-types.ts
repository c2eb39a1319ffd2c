// CloudEvent types and attribute conventions shared by producers and
// consumers (DESIGN.md §4.2).

export const WINDOW_REQUESTED = 'com.miloapis.activity.reindex.window.requested';
export const WINDOW_COMPLETED = 'com.miloapis.activity.reindex.window.completed';
export const WINDOW_FAILED = 'com.miloapis.activity.reindex.window.failed';

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

/** CloudEvent extension attributes carried by every window event. */
export const EXT_JOB = 'reindexjob';
export const EXT_WINDOW = 'reindexwindow';
