import { TERMINAL_PHASES, type ReindexJob, type ReindexJobStatus } from '../shared/api/reindex-job.js';
import { validateReindexJob } from '../shared/api/reindex-job-validation.js';
import type { Action } from './action.js';
import { admit } from './admission.js';
import { changedFixedFields, effectiveSpec, ignoredChangeMessage } from './fixed-spec.js';
import type { EmissionRecord } from '../shared/contracts/emission-record.js';
import type { JobPlan, PlanWindows } from '../shared/contracts/job-plan.js';
import { jobSettings } from './job-settings.js';
import { planEmission } from './plan-emission.js';
import { validationMessage } from './validation-message.js';

export interface ControllerConfig {
  maxConcurrentJobs: number;
  retentionDays: number;
  /** An emitted window with no result after this long is emitted again (result-deadline.ts). */
  resultDeadlineMs: number;
}

export interface DecideInput {
  job: ReindexJob;
  otherJobs: readonly ReindexJob[];
  now: Date;
  /** The stored plan of this job (same uid), if one was made, with its windows derived. */
  plan?: JobPlan;
  windows?: PlanWindows;
  record: EmissionRecord;
  config: ControllerConfig;
}

/**
 * What to do for one job now. Pure: the same observed state always gives the
 * same actions, so the shell can run it again on every change (level-triggered).
 */
export function decide(input: DecideInput): Action[] {
  const { job } = input;
  if (job.metadata.deletionTimestamp) return []; // deleting: stop emitting, late results are dropped
  const phase = job.status?.phase;
  if (phase && TERMINAL_PHASES.has(phase)) return decideFinished(input);
  if (job.status?.startedAt === undefined) return decideNotStarted(input);
  return decideStarted(input);
}

function decideFinished({ job, now, config }: DecideInput): Action[] {
  const status = job.status ?? {};
  const generation = job.metadata.generation ?? 0;
  const actions: Action[] = [];
  if (status.observedGeneration !== undefined && status.observedGeneration < generation) {
    const message = `${status.message ?? status.phase}; spec change (generation ${generation}) ignored: a finished job is never re-run`;
    actions.push({ type: 'observe', generation, message });
  }
  // The last re-emitted window's result may be the one that finished the
  // job, before a running pass could clear Stalled: a finished job is not stalled.
  actions.push(...stallActions(status, [], config.resultDeadlineMs));
  const ttl = job.spec.ttlSecondsAfterFinished;
  if (ttl === undefined || !status.completedAt) return actions;
  const dueIn = Date.parse(status.completedAt) + ttl * 1000 - now.getTime();
  actions.push(dueIn <= 0 ? { type: 'deleteJob' } : { type: 'requeueAfter', ms: dueIn });
  return actions;
}

function decideNotStarted(input: DecideInput): Action[] {
  const { job, otherJobs, now, config, plan } = input;
  const status = job.status ?? {};
  // A spec change must reach status (and the conditions) even when nothing else moves.
  const observed = status.observedGeneration === (job.metadata.generation ?? 0);
  const validation = validateReindexJob(job.spec, { now, retentionDays: config.retentionDays });
  if (!validation.ok) return [{ type: 'fail', reason: 'InvalidSpec', message: validationMessage(validation.errors) }];
  if (job.spec.suspend) {
    const message = 'suspended before it started';
    return observed && status.phase === 'Suspended' && status.message === message ? [] : [{ type: 'suspend', message }];
  }
  const isQueued = (other: ReindexJob) =>
    !other.spec.suspend && validateReindexJob(other.spec, { now, retentionDays: config.retentionDays }).ok;
  const admission = admit(job, otherJobs, config.maxConcurrentJobs, isQueued);
  if (!admission.admitted) {
    const unchanged = observed && status.phase === 'Pending' && status.message === admission.message;
    return unchanged ? [] : [{ type: 'wait', message: admission.message }];
  }
  // A stored plan means an earlier pass resolved the range already: reuse it
  // so relative times are resolved exactly once.
  if (plan) return [{ type: 'start' }];
  // Say Pending first: planning counts rows in ClickHouse and may take a while.
  const planning = 'admitted: planning windows';
  const prepare: Action = { type: 'prepare', resolvedTimeRange: validation.resolvedTimeRange };
  return status.phase === 'Pending' && status.message === planning ? [prepare] : [{ type: 'wait', message: planning }, prepare];
}

function decideStarted(input: DecideInput): Action[] {
  const { job, plan, windows, now, record, config } = input;
  const status = job.status ?? {};
  const generation = job.metadata.generation ?? 0;
  const actions: Action[] = [];
  if (!plan || !windows) return [{ type: 'fail', reason: 'PlanMissing', message: 'the stored window plan (ConfigMap) of this job is gone' }];
  // Re-check the spec as of the start, so only a config edit (not the clock) can fail it;
  // edits of the fields fixed at the start are ignored, so they cannot fail it either.
  const spec = effectiveSpec(job.spec, plan.fixedSpec);
  const validation = validateReindexJob(spec, { now: new Date(status.startedAt!), retentionDays: config.retentionDays });
  if (!validation.ok) {
    return [{ type: 'fail', reason: 'InvalidSpec', message: `spec change rejected: ${validationMessage(validation.errors)}` }];
  }
  if (status.observedGeneration !== generation) {
    const ignored = changedFixedFields(job.spec, plan.fixedSpec);
    actions.push({ type: 'observe', generation, ...(ignored.length > 0 ? { message: ignoredChangeMessage(ignored) } : {}) });
  }
  // No window means no result will ever arrive to finish the job.
  if (windows.length === 0) return [...actions, { type: 'complete', message: 'no events in the time range' }];

  const { rateLimit, parallelism } = jobSettings(spec);
  const emission = planEmission({ windows, status, record, now: now.getTime(), rateLimit, parallelism, resultDeadlineMs: config.resultDeadlineMs });
  actions.push(...stallActions(status, emission.stalled, config.resultDeadlineMs));
  if (spec.suspend) {
    const message = 'suspended: no new windows are emitted; windows in flight finish';
    if (status.phase !== 'Suspended' || status.message !== message) actions.push({ type: 'suspend', message });
    return actions;
  }
  if (status.phase === 'Suspended') actions.push({ type: 'resume', message: 'resumed' });
  // A failed window fails the job (the aggregator says so); emitting more would be waste.
  if (status.windows?.failed) return actions;
  if (emission.emit.length > 0) actions.push({ type: 'emit', windows: emission.emit });
  if (emission.requeueAfterMs !== undefined) actions.push({ type: 'requeueAfter', ms: emission.requeueAfterMs });
  return actions;
}

/**
 * Stalled (DESIGN.md §5): some window's result did not come within the
 * deadline, so it was (or is now) emitted again. It clears once every such
 * window has answered.
 */
function stallActions(status: ReindexJobStatus, stalled: readonly number[], deadlineMs: number): Action[] {
  const current = status.conditions?.find((c) => c.type === 'Stalled');
  if (stalled.length > 0) {
    const named = stalled.slice(0, 10).join(', ') + (stalled.length > 10 ? ` and ${stalled.length - 10} more` : '');
    const message = `no result within ${formatMinutes(deadlineMs)} for ${stalled.length} window(s) (${named}); emitted again`;
    return current?.status === 'True' && current.message === message ? [] : [{ type: 'stall', message }];
  }
  return current?.status === 'True' ? [{ type: 'unstall', message: 'every window emitted again has answered' }] : [];
}

function formatMinutes(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
}
