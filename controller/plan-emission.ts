import type { ReindexJobStatus } from '../shared/api/reindex-job.js';
import type { WindowEmission } from './action.js';
import { parseIndexRanges } from './index-ranges.js';
import type { EmittedWindows, JobPlan } from './job-plan.js';
import { nextEmissionAt, spacingMs } from './pacing.js';

export interface EmissionInput {
  plan: JobPlan;
  status: ReindexJobStatus | undefined;
  emitted: EmittedWindows;
  now: number;
  rateLimit: number;
  parallelism: number;
  /** An emitted window with no result after this long is emitted again. */
  windowTimeoutMs: number;
}

export interface EmissionPlan {
  emit: WindowEmission[];
  inFlight: number[];
  /** When to look again (ms from now), or undefined: a result will wake us. */
  requeueAfterMs?: number;
}

/**
 * Which windows to emit now: those neither completed nor failed nor in
 * flight, lowest index first, while in flight ≤ parallelism and spaced by
 * the rateLimit (see pacing.ts).
 */
export function planEmission(input: EmissionInput): EmissionPlan {
  const { plan, emitted, now, rateLimit, parallelism, windowTimeoutMs } = input;
  const completed = parseIndexRanges(input.status?.windows?.completedRanges);
  const failed = parseIndexRanges(input.status?.windows?.failedRanges);
  const finished = (index: number) => completed.has(index) || failed.has(index);
  const inFlight = [...emitted]
    .filter(([index, at]) => !finished(index) && now < at + windowTimeoutMs)
    .map(([index]) => index)
    .sort((a, b) => a - b);
  const inFlightSet = new Set(inFlight);
  const pending = plan.windows.filter((w) => !finished(w.index) && !inFlightSet.has(w.index));
  const share = rateLimit / parallelism;

  const emit: WindowEmission[] = [];
  let nextAt = nextEmissionAt(emitted, plan.windows, rateLimit);
  for (const window of pending) {
    if (inFlight.length + emit.length >= parallelism || nextAt > now) break;
    emit.push({ window, rateLimit: share });
    nextAt = now + spacingMs(window.expectedEvents, rateLimit);
  }

  const wakeups: number[] = [];
  const waitingForPace = pending.length > emit.length && inFlight.length + emit.length < parallelism;
  if (waitingForPace) wakeups.push(nextAt - now);
  for (const index of inFlight) wakeups.push((emitted.get(index) ?? now) + windowTimeoutMs - now);
  const requeueAfterMs = wakeups.length > 0 ? Math.max(1, Math.min(...wakeups)) : undefined;
  return { emit, inFlight, requeueAfterMs };
}
