import { setTimeout as delay } from 'node:timers/promises';
import { TERMINAL_PHASES, type ReindexJob } from '../../shared/api/reindex-job.js';
import type { JobsApi } from './jobs-api.js';

/**
 * Follows a job's status until it ends, drawing the progress bar on stderr,
 * and resolves to the exit status: 0 Succeeded, 1 Failed (with its message).
 */
export async function followJob(api: JobsApi, name: string, pollMs = 500): Promise<number> {
  const { createJobProgressBar } = await import('../job-progress-bar.js');
  const bar = createJobProgressBar();
  let job: ReindexJob;
  try {
    for (;;) {
      job = await api.get(name);
      bar.update(job);
      if (TERMINAL_PHASES.has(job.status?.phase ?? 'Pending')) break;
      await delay(pollMs);
    }
  } finally {
    bar.stop();
  }
  const phase = job.status?.phase;
  const p = job.status?.progress;
  if (phase === 'Succeeded') {
    process.stdout.write(`reindexjob.activity.miloapis.com/${name} Succeeded: ${job.status?.message ?? ''}${p ? ` (${p.processedEvents}/${p.totalEvents} events, ${p.activitiesGenerated} activities, ${p.errors} errors)` : ''}\n`);
    return 0;
  }
  process.stderr.write(`kubectl-activity: ReindexJob ${name} Failed: ${job.status?.message ?? 'no message'}\n`);
  return 1;
}
