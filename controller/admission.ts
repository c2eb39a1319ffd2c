import { TERMINAL_PHASES, type ReindexJob } from '../shared/api/reindex-job.js';

export type Admission = { admitted: true } | { admitted: false; message: string };

/**
 * A started job holds its slot until it finishes, also while suspended: its
 * in-flight windows still run and resuming must not wait behind newer jobs.
 */
export function holdsSlot(job: ReindexJob): boolean {
  const phase = job.status?.phase;
  if (job.metadata.deletionTimestamp) return false;
  return phase === 'Running' || (phase === 'Suspended' && job.status?.startedAt !== undefined);
}

/** Oldest first by creationTimestamp, then name: the order jobs are admitted in. */
export function byAge(a: ReindexJob, b: ReindexJob): number {
  const at = a.metadata.creationTimestamp ?? '';
  const bt = b.metadata.creationTimestamp ?? '';
  if (at !== bt) return Date.parse(at) - Date.parse(bt) || (at < bt ? -1 : 1);
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
}

/**
 * Whether `job` may start now: fewer than `maxConcurrentJobs` jobs hold a
 * slot counting the queued jobs older than it. `isQueued` says which of the
 * others are waiting to start (not finished, not suspended, valid).
 */
export function admit(
  job: ReindexJob,
  otherJobs: readonly ReindexJob[],
  maxConcurrentJobs: number,
  isQueued: (other: ReindexJob) => boolean,
): Admission {
  const others = otherJobs.filter((other) => other.metadata.name !== job.metadata.name);
  const running = others.filter(holdsSlot).sort(byAge);
  const ahead = others
    .filter((other) => !holdsSlot(other) && !TERMINAL_PHASES.has(other.status?.phase ?? 'Pending'))
    .filter((other) => !other.metadata.deletionTimestamp && isQueued(other) && byAge(other, job) < 0)
    .sort(byAge);
  if (running.length + ahead.length < maxConcurrentJobs) return { admitted: true };
  const names = (jobs: ReindexJob[]) => jobs.map((j) => j.metadata.name).join(', ');
  const parts = [];
  if (running.length > 0) parts.push(`${running.length} running job(s): ${names(running)}`);
  if (ahead.length > 0) parts.push(`${ahead.length} older queued job(s): ${names(ahead)}`);
  return { admitted: false, message: `waiting for ${parts.join('; ')} (max concurrent jobs ${maxConcurrentJobs})` };
}
