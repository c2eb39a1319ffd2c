import type { ReindexJob } from '../shared/api/reindex-job.js';
import type { JobEvent } from './job-source.js';
import { windowsNamedIn } from './windows-named-in.js';

/**
 * Why each failed window failed, from what the aggregator leaves behind: a
 * Warning Event naming the window (newest first), else the job's message or
 * Ready condition when they name it, else the message of a Failed job.
 */
export function failureReasons(failed: Iterable<number>, job: ReindexJob, events: JobEvent[]): Map<number, string> {
  const newestFirst = [...events].sort((a, b) => Date.parse(b.time) - Date.parse(a.time));
  const warnings = newestFirst.filter((e) => e.type === 'Warning').map((e) => e.message);
  const ready = job.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'False');
  const jobLevel = [job.status?.message, ready ? `${ready.reason}: ${ready.message}` : undefined].filter(
    (m): m is string => !!m,
  );
  const reasons = new Map<number, string>();
  for (const index of failed) {
    const named = [...warnings, ...jobLevel].find((m) => windowsNamedIn(m).has(index));
    // A job-level message that names no window explains this one only once the job has failed.
    const failedJob = job.status?.phase === 'Failed' ? jobLevel[0] : undefined;
    // The state label already says "Failed"; the aggregator's messages start with it too.
    reasons.set(index, (named ?? failedJob ?? 'no reason recorded yet').replace(/^Failed:\s*/, ''));
  }
  return reasons;
}
