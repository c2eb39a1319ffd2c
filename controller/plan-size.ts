import { printJobPlan, type JobPlan } from '../shared/contracts/job-plan.js';

/**
 * A ConfigMap holds at most 1 MiB (etcd's object limit); the margin leaves
 * room for metadata. A plan is the policy and discovery snapshots plus about
 * 12 bytes a window (shared/contracts/job-plan.ts), so it is the policy
 * snapshot, not the window count, that can make one too large.
 */
export const MAX_PLAN_BYTES = 900 * 1024;

export function planBytes(plan: JobPlan): number {
  return Buffer.byteLength(printJobPlan(plan));
}
