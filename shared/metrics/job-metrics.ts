import { Counter, Gauge, type Registry } from 'prom-client';
import type { ReindexJob, ReindexJobPhase } from '../api/reindex-job.js';

/** Why a window result changed nothing: see functions/aggregator/reduce.ts. */
export type DroppedResult = 'duplicate' | 'finished' | 'other-job' | 'job-gone';

export interface JobMetrics {
  windowsCompleted: Counter<'source'>;
  windowsFailed: Counter<'source' | 'reason'>;
  deadLetters: Counter<'source'>;
  resultsDropped: Counter<'reason'>;
  jobsFinished: Counter<'phase'>;
  jobs: Gauge<'phase'>;
}

const PHASES: ReindexJobPhase[] = ['Pending', 'Running', 'Suspended', 'Succeeded', 'Failed'];

/**
 * The job-level `activity_reindex_*` metrics (aggregator and controller),
 * named apart from the window function's so one registry can hold both.
 */
export function createJobMetrics(register: Registry): JobMetrics {
  const registers = [register];
  const metrics: JobMetrics = {
    windowsCompleted: new Counter({ name: 'activity_reindex_job_windows_completed_total', help: 'Window results folded into job status as completed, by source.', labelNames: ['source'], registers }),
    windowsFailed: new Counter({ name: 'activity_reindex_job_windows_failed_total', help: 'Windows marked failed in job status, by source and reason (the window.failed reason, or DeadLetter).', labelNames: ['source', 'reason'], registers }),
    deadLetters: new Counter({ name: 'activity_reindex_dead_letters_total', help: 'window.requested events dead-lettered by the Broker after its retries, by source.', labelNames: ['source'], registers }),
    resultsDropped: new Counter({ name: 'activity_reindex_results_dropped_total', help: 'Window results that changed nothing: duplicate, job finished, another job uid, job gone.', labelNames: ['reason'], registers }),
    jobsFinished: new Counter({ name: 'activity_reindex_jobs_finished_total', help: 'Jobs that reached Succeeded or Failed.', labelNames: ['phase'], registers }),
    jobs: new Gauge({ name: 'activity_reindex_jobs', help: 'ReindexJobs by phase, as last observed.', labelNames: ['phase'], registers }),
  };
  // Series exist from the first scrape, so increase() sees the first failure
  // of a function that has just scaled up from zero.
  for (const phase of ['Succeeded', 'Failed']) metrics.jobsFinished.inc({ phase }, 0);
  for (const source of ['audit', 'event']) {
    metrics.windowsCompleted.inc({ source }, 0);
    metrics.deadLetters.inc({ source }, 0);
  }
  return metrics;
}

/** Sets the jobs-by-phase gauge from a full list of jobs (jobs without a phase count as Pending). */
export function observeJobPhases(metrics: JobMetrics, jobs: readonly ReindexJob[]): void {
  for (const phase of PHASES) metrics.jobs.set({ phase }, jobs.filter((j) => (j.status?.phase ?? 'Pending') === phase).length);
}
