import { TERMINAL_PHASES, type Condition, type DryRunReport, type ErrorSample, type JobPolicy, type ReindexJob } from '../shared/api/reindex-job.js';
import type { WindowSpec } from '../shared/contracts/window-requested.js';
import { failureReasons } from './failure-reasons.js';
import type { JobEvent } from './job-source.js';
import { summarizeJob, type JobSummary } from './job-summary.js';
import type { RatePoint } from './rate-history.js';
import { windowStateSets } from './window-state.js';
import { windowStrips, type WindowStrip } from './window-strips.js';

/** Everything the page shows for one job, as its JSON carries it. */
export interface JobDetail extends JobSummary {
  uid?: string;
  spec: ReindexJob['spec'];
  policies: JobPolicy[];
  strips: WindowStrip[];
  /** Whether in-flight windows are known; if not, they show as pending. */
  tracksInFlight: boolean;
  failedWindows: { index: number; source?: string; reason: string }[];
  rate: RatePoint[];
  conditions: Condition[];
  errorSamples: ErrorSample[];
  dryRunReport?: DryRunReport;
  events: JobEvent[];
}

export interface DetailInput {
  job: ReindexJob;
  plan: WindowSpec[] | undefined;
  events: JobEvent[];
  rate: RatePoint[];
  now: Date;
  /** Emitted and unanswered windows, when the controller records them. */
  inFlight?: Set<number>;
}

export function describeJob(input: DetailInput): JobDetail {
  const { job, plan } = input;
  const status = job.status ?? {};
  // A finished job has nothing in flight: the aggregator drops late results.
  const finished = status.phase !== undefined && TERMINAL_PHASES.has(status.phase);
  const sets = windowStateSets(status, finished ? new Set() : input.inFlight);
  const reasons = failureReasons(sets.failed, job, input.events);
  const sourceOf = new Map(plan?.map((w) => [w.index, w.source]));
  return {
    ...summarizeJob(job, input.now),
    uid: job.metadata.uid,
    spec: job.spec,
    policies: status.policies ?? [],
    strips: windowStrips({
      plan,
      total: status.windows?.total ?? 0,
      range: status.resolvedTimeRange ?? job.spec.timeRange,
      sets,
      reasons,
    }),
    tracksInFlight: input.inFlight !== undefined,
    failedWindows: [...reasons].sort(([a], [b]) => a - b).map(([index, reason]) => ({ index, source: sourceOf.get(index), reason })),
    rate: input.rate,
    conditions: status.conditions ?? [],
    errorSamples: status.errorSamples ?? [],
    dryRunReport: status.dryRunReport,
    events: [...input.events].sort((a, b) => Date.parse(b.time) - Date.parse(a.time)),
  };
}
