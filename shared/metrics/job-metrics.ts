import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
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
  jobsStarted: Counter<'time_range' | 'policy'>;
  jobDuration: Histogram<'time_range'>;
  failedJobs: Gauge<'reindexjob'>;
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
    // The next two carry the names, labels and buckets of the Activity
    // system's reindexer (datum-cloud/activity internal/reindex/metrics.go),
    // so its dashboards keep working.
    jobsStarted: new Counter({ name: 'activity_reindex_jobs_total', help: 'Total number of reindex jobs started.', labelNames: ['time_range', 'policy'], registers }),
    jobDuration: new Histogram({
      name: 'activity_reindex_job_duration_seconds',
      help: 'Time spent on reindex jobs, from start to Succeeded or Failed.',
      labelNames: ['time_range'],
      buckets: Array.from({ length: 10 }, (_, i) => 10 * 2 ** i), // 10 s to ~2.8 h
      registers,
    }),
    failedJobs: new Gauge({
      name: 'activity_reindex_job_failed',
      help: '1 for each ReindexJob in phase Failed, whoever failed it (controller or aggregator), until it is deleted.',
      labelNames: ['reindexjob'],
      registers,
    }),
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
function observeJobPhases(metrics: JobMetrics, jobs: readonly ReindexJob[]): void {
  for (const phase of PHASES) metrics.jobs.set({ phase }, jobs.filter((j) => (j.status?.phase ?? 'Pending') === phase).length);
}

/** The reindexer's `time_range` label: start and end days, `YYYYMMDD_YYYYMMDD` (UTC). */
export function timeRangeLabel(range: { startTime: string; endTime: string } | undefined): string {
  if (!range) return 'unknown';
  const day = (t: string) => new Date(t).toISOString().slice(0, 10).replaceAll('-', '');
  return `${day(range.startTime)}_${day(range.endTime)}`;
}

/** The reindexer's `policy` label: `all`, the one name, or `<n>_policies`. */
export function policyLabel(names: readonly string[] | undefined): string {
  if (!names || names.length === 0) return 'all';
  return names.length === 1 ? names[0]! : `${names.length}_policies`;
}

const TERMINAL = new Set<ReindexJobPhase>(['Succeeded', 'Failed']);

/**
 * Metrics from the full list of jobs, each time it changes (the controller
 * sees every job): phases, the failed-job gauge, and starts and durations
 * from the phase changes seen. A job is first seen without counting, so a
 * restarted controller does not count its jobs again.
 */
export function createJobObserver(metrics: JobMetrics): (jobs: readonly ReindexJob[]) => void {
  const lastPhase = new Map<string, ReindexJobPhase>();
  return (jobs) => {
    observeJobPhases(metrics, jobs);
    metrics.failedJobs.reset();
    const present = new Set<string>();
    for (const job of jobs) {
      const uid = job.metadata.uid ?? job.metadata.name;
      const phase = job.status?.phase ?? 'Pending';
      const before = lastPhase.get(uid);
      present.add(uid);
      lastPhase.set(uid, phase);
      if (phase === 'Failed') metrics.failedJobs.set({ reindexjob: job.metadata.name }, 1);
      if (before === undefined || before === phase) continue;
      const timeRange = timeRangeLabel(job.status?.resolvedTimeRange);
      if (before === 'Pending' && phase !== 'Pending' && job.status?.startedAt) {
        metrics.jobsStarted.inc({ time_range: timeRange, policy: policyLabel(job.spec.policySelector?.names) });
      }
      if (!TERMINAL.has(before) && TERMINAL.has(phase) && job.status?.startedAt && job.status.completedAt) {
        metrics.jobDuration.observe({ time_range: timeRange }, Math.max(0, Date.parse(job.status.completedAt) - Date.parse(job.status.startedAt)) / 1000);
      }
    }
    for (const uid of lastPhase.keys()) if (!present.has(uid)) lastPhase.delete(uid);
  };
}
