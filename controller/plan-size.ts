import type { JobPlan } from './job-plan.js';

/**
 * A ConfigMap holds at most 1 MiB (etcd's object limit); the margin leaves
 * room for metadata and the keys. The plan's size is the policy and
 * discovery snapshots plus about 130 bytes a window, and the emission record
 * grows by about 20 bytes a window as the job runs.
 */
export const MAX_PLAN_CONFIGMAP_BYTES = 900 * 1024;

/** The plan ConfigMap's data as stored: plan.json and emitted.json. */
export function planConfigMapData(plan: JobPlan | undefined, emitted: ReadonlyMap<number, number>): Record<string, string> {
  return { 'plan.json': JSON.stringify(plan), 'emitted.json': JSON.stringify(Object.fromEntries(emitted)) };
}

export function dataBytes(data: Record<string, string>): number {
  return Object.entries(data).reduce((n, [key, value]) => n + Buffer.byteLength(key) + Buffer.byteLength(value), 0);
}

/** The ConfigMap's data size once every window has been emitted: its largest. */
export function fullPlanBytes(plan: JobPlan): number {
  const everyWindowEmitted = new Map(plan.windows.map((w) => [w.index, 9_999_999_999_999]));
  return dataBytes(planConfigMapData(plan, everyWindowEmitted));
}
