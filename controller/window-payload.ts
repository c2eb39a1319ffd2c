import type { ReindexJob } from '../shared/api/reindex-job.js';
import type { WindowRequested } from '../shared/contracts/window-requested.js';
import type { WindowEmission } from './action.js';
import type { JobPlan } from '../shared/contracts/job-plan.js';

/**
 * The data of a window.requested event (DESIGN.md §4.2). batchSize and dryRun
 * come from the plan, not the live spec: one job never mixes dry and real
 * windows, nor batch sizes.
 */
export function windowPayload(job: ReindexJob, plan: JobPlan, emission: WindowEmission): WindowRequested {
  return {
    job: { name: job.metadata.name, uid: job.metadata.uid ?? '', generation: job.metadata.generation ?? 0 },
    window: emission.window,
    batchSize: plan.fixedSpec.batchSize,
    dryRun: plan.fixedSpec.dryRun,
    rateLimit: emission.rateLimit,
    policies: plan.policies,
    discovery: plan.discovery,
  };
}

/**
 * Window events must stay well under the 256 KiB broker limit; the policy
 * snapshot is what makes them big, so the job fails up front rather than
 * truncating it (DESIGN.md §4.2).
 */
export const MAX_WINDOW_EVENT_BYTES = 200 * 1024;

export function windowPayloadBytes(payload: WindowRequested): number {
  return Buffer.byteLength(JSON.stringify(payload));
}
