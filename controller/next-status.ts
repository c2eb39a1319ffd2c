import { TERMINAL_PHASES, type ReindexJobStatus } from '../shared/api/reindex-job.js';
import type { Action } from './action.js';
import { planWindows, type JobPlan } from '../shared/contracts/job-plan.js';
import { setCondition } from '../shared/api/set-condition.js';

export interface StatusContext {
  now: Date;
  generation: number;
  plan?: JobPlan;
}

type StatusAction = Extract<Action, { type: 'fail' | 'wait' | 'start' | 'complete' | 'suspend' | 'resume' | 'observe' | 'stall' | 'unstall' }>;

/**
 * The status after one action, from the current one: the shell applies it to
 * a freshly read job (and again after a 409), so it never works from a stale
 * copy. Undefined means there is nothing to write any more.
 */
export function nextStatus(current: ReindexJobStatus | undefined, action: StatusAction, ctx: StatusContext): ReindexJobStatus | undefined {
  const status: ReindexJobStatus = { ...current };
  const now = ctx.now.toISOString();
  const finished = TERMINAL_PHASES.has(status.phase ?? 'Pending');
  switch (action.type) {
    case 'fail':
      if (finished) return undefined;
      return {
        ...status,
        phase: 'Failed',
        message: action.message,
        completedAt: now,
        ...(action.policies?.length ? { policies: action.policies } : {}),
        observedGeneration: ctx.generation,
        conditions: setCondition(status.conditions, { type: 'Ready', status: 'False', reason: action.reason, message: action.message, observedGeneration: ctx.generation }, ctx.now),
      };
    case 'complete':
      if (finished) return undefined;
      return {
        ...status,
        phase: 'Succeeded',
        message: action.message,
        completedAt: now,
        progress: { ...(status.progress ?? zeroProgress(0, 0)), percent: 100 },
        conditions: setCondition(status.conditions, { type: 'Ready', status: 'True', reason: 'Completed', message: action.message, observedGeneration: ctx.generation }, ctx.now),
      };
    case 'wait':
      if (finished || status.startedAt) return undefined;
      return { ...status, phase: 'Pending', message: action.message, observedGeneration: ctx.generation, ...(status.conditions ? { conditions: observed(status.conditions, ctx.generation) } : {}) };
    case 'start': {
      const plan = ctx.plan;
      if (!plan || finished || status.startedAt) return undefined;
      const windows = planWindows(plan);
      const bySource = (source: 'audit' | 'event') => ({ total: windows.bySource[source], completed: 0, failed: 0 });
      const message = `processing ${windows.length} windows, ${windows.totalEvents} events`;
      return {
        ...status,
        phase: 'Running',
        message,
        startedAt: now,
        observedGeneration: ctx.generation,
        resolvedTimeRange: plan.resolvedTimeRange,
        timeRange: `${plan.resolvedTimeRange.startTime}/${plan.resolvedTimeRange.endTime}`,
        policies: [
          ...plan.policies.map((p) => ({ name: p.metadata.name, resourceVersion: p.metadata.resourceVersion ?? '' })),
          ...(plan.skippedPolicies ?? []),
        ],
        windows: { total: windows.length, completed: 0, failed: 0, completedRanges: '', failedRanges: '', bySource: { audit: bySource('audit'), event: bySource('event') } },
        progress: zeroProgress(windows.totalEvents, windows.length),
        conditions: setCondition(status.conditions, { type: 'Ready', status: 'False', reason: 'Progressing', message, observedGeneration: ctx.generation }, ctx.now),
      };
    }
    case 'suspend': {
      if (finished) return undefined;
      // The time goes in the condition, not status.message: decide compares the message to stay idempotent.
      const conditions = setCondition(observed(status.conditions, ctx.generation), { type: 'Ready', status: 'False', reason: 'Suspended', message: `suspend took effect at ${now} (generation ${ctx.generation}): ${action.message}`, observedGeneration: ctx.generation }, ctx.now);
      // Nothing is emitted while suspended: no completion time to estimate.
      const { estimatedCompletionTime: _noEstimate, ...kept } = status;
      return { ...kept, phase: 'Suspended', message: action.message, observedGeneration: ctx.generation, conditions };
    }
    case 'resume': {
      if (finished || status.phase !== 'Suspended') return undefined;
      const conditions = setCondition(observed(status.conditions, ctx.generation), { type: 'Ready', status: 'False', reason: 'Progressing', message: `resumed at ${now} (generation ${ctx.generation})`, observedGeneration: ctx.generation }, ctx.now);
      return { ...status, phase: 'Running', message: action.message, observedGeneration: ctx.generation, conditions };
    }
    case 'observe': {
      let conditions = observed(status.conditions, action.generation);
      // A running job takes a new rateLimit or parallelism for the windows not yet emitted (rethrottle): say when.
      const ready = conditions?.find((c) => c.type === 'Ready');
      if (!finished && status.startedAt && status.phase !== 'Suspended' && ready) {
        const message = `generation ${action.generation} took effect at ${now}: rateLimit and parallelism apply to the windows not yet emitted${action.message ? `; ${action.message}` : ''}`;
        conditions = setCondition(conditions, { ...ready, message, observedGeneration: action.generation }, ctx.now);
      }
      return { ...status, observedGeneration: action.generation, ...(action.message ? { message: action.message } : {}), ...(conditions ? { conditions } : {}) };
    }
    case 'stall':
    case 'unstall': {
      const stalled = action.type === 'stall';
      // A finished job may still clear Stalled (its last result ended it), never set it.
      if (finished && stalled) return undefined;
      const condition = { type: 'Stalled', status: stalled ? 'True' : 'False', reason: stalled ? 'ResultOverdue' : 'ResultsArriving', message: action.message, observedGeneration: ctx.generation } as const;
      return { ...status, conditions: setCondition(status.conditions, condition, ctx.now) };
    }
  }
}

/** Every condition says which generation it reflects: after a spec change, all of them move to it (kubectl wait compares). */
function observed(conditions: ReindexJobStatus['conditions'], generation: number): ReindexJobStatus['conditions'] {
  return conditions?.map((c) => ({ ...c, observedGeneration: generation }));
}

function zeroProgress(totalEvents: number, totalBatches: number): NonNullable<ReindexJobStatus['progress']> {
  return { totalEvents, processedEvents: 0, activitiesGenerated: 0, errors: 0, currentBatch: 0, totalBatches, percent: 0 };
}
