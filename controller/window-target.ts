/**
 * How many events one window may hold. Each window runs at its share of the
 * job's rate (rateLimit / parallelism events/s, plan-emission.ts) and must
 * finish well inside the window function's Knative timeoutSeconds (600 s,
 * knative/window-service.yaml), so the target is the smaller of
 * batchSize × windowBatches and what the share processes in
 * windowBudgetSeconds. It is fixed at planning: a later rethrottle slows the
 * windows already planned (the budget's margin below 600 s absorbs a halving).
 */
export interface WindowTargetInput {
  batchSize: number;
  rateLimit: number;
  parallelism: number;
  windowBatches: number;
  windowBudgetSeconds: number;
}

/**
 * Below this a window is mostly overhead (one ClickHouse query, one HTTP
 * round trip). Only a share under MIN_WINDOW_EVENTS / windowBudgetSeconds
 * events/s (e.g. rateLimit 10 at parallelism 4) makes such a window outlast
 * the budget.
 */
export const MIN_WINDOW_EVENTS = 100;

/** Batches a window holds at most, unless WINDOW_BATCHES says otherwise. */
export const DEFAULT_WINDOW_BATCHES = 10;

export function windowTargetEvents(input: WindowTargetInput): number {
  const byBatches = input.batchSize * input.windowBatches;
  const byTime = Math.floor((input.rateLimit / input.parallelism) * input.windowBudgetSeconds);
  return Math.max(MIN_WINDOW_EVENTS, Math.min(byBatches, byTime));
}
