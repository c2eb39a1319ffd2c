import type { ReindexJob, ReindexJobPhase } from '../shared/api/reindex-job.js';
import { parseMaxErrors } from '../shared/api/reindex-job-validation.js';
import { jobSettings, type JobSettings } from '../controller/job-settings.js';

/** One row of the job list, as the page's JSON carries it. */
export interface JobSummary {
  name: string;
  phase: ReindexJobPhase;
  message?: string;
  percent: number;
  eventsPerSecond?: number;
  estimatedCompletionTime?: string;
  createdAt?: string;
  startedAt?: string;
  completedAt?: string;
  timeRange: { startTime: string; endTime?: string };
  dryRun: boolean;
  suspend: boolean;
  progress?: NonNullable<ReindexJob['status']>['progress'];
  windows?: NonNullable<ReindexJob['status']>['windows'];
  /** The settings the job runs with, defaults filled in. */
  settings: JobSettings;
  /** "N of budget": the errors against spec.config.maxErrors, or undefined without a budget. */
  errorBudget?: string;
  /** Why a Failed job failed, in a line: the list shows it beside the phase. */
  failureReason?: string;
}

export function summarizeJob(job: ReindexJob, now: Date): JobSummary {
  const status = job.status ?? {};
  const phase = status.phase ?? 'Pending';
  const percent = percentOf(job);
  const rate = status.eventsPerSecond;
  return {
    name: job.metadata.name,
    phase,
    message: status.message,
    percent,
    eventsPerSecond: rate,
    // Nothing is emitted while suspended: no estimate, whatever an older status says.
    estimatedCompletionTime: phase === 'Suspended' ? undefined : (status.estimatedCompletionTime ?? estimate(job, now)),
    createdAt: job.metadata.creationTimestamp,
    startedAt: status.startedAt,
    completedAt: status.completedAt,
    timeRange: status.resolvedTimeRange ?? job.spec.timeRange,
    dryRun: job.spec.config?.dryRun ?? false,
    suspend: job.spec.suspend ?? false,
    progress: status.progress,
    windows: status.windows,
    settings: jobSettings(job.spec),
    errorBudget: errorBudget(job),
    failureReason: phase === 'Failed' ? (status.message ?? 'failed').replace(/^Failed:\s*/, '') : undefined,
  };
}

// "12 of 50 allowed" / "12 of 0.5% of processed events (at most 60 now)".
function errorBudget(job: ReindexJob): string | undefined {
  const budget = parseMaxErrors(job.spec.config?.maxErrors);
  if (!budget) return undefined;
  const errors = job.status?.progress?.errors ?? 0;
  if (budget.kind === 'count') return `${errors} of ${budget.value} allowed`;
  const processed = job.status?.progress?.processedEvents ?? 0;
  return `${errors} of ${budget.value}% of processed events (at most ${Math.floor((processed * budget.value) / 100)} now)`;
}

// The aggregator's integer percent is what the PROGRESS column shows, so the
// page agrees with kubectl; the fallbacks cover statuses written before it.
function percentOf(job: ReindexJob): number {
  const status = job.status;
  if (status?.phase === 'Succeeded') return 100;
  if (status?.progress?.percent !== undefined) return status.progress.percent;
  const total = status?.progress?.totalEvents ?? 0;
  if (total > 0) return Math.floor((100 * (status?.progress?.processedEvents ?? 0)) / total);
  const windows = status?.windows;
  if (windows && windows.total > 0) return Math.floor((100 * windows.completed) / windows.total);
  return 0;
}

// Only while running, from the remaining events at the current rate.
function estimate(job: ReindexJob, now: Date): string | undefined {
  const status = job.status;
  const rate = status?.eventsPerSecond ?? 0;
  const total = status?.progress?.totalEvents ?? 0;
  if (status?.phase !== 'Running' || rate <= 0 || total <= 0) return undefined;
  const remaining = Math.max(0, total - (status.progress?.processedEvents ?? 0));
  return new Date(now.getTime() + (remaining / rate) * 1000).toISOString();
}
