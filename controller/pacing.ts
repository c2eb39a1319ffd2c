import type { WindowSpec } from '../shared/contracts/window-requested.js';
import type { EmittedWindows } from './job-plan.js';

/**
 * When the next window may be emitted (epoch ms; 0 = now): the previous
 * emission plus the time its events take at the current rateLimit. Spacing by
 * the last window alone makes a rethrottle act on the very next window, and a
 * window processed at its share (rateLimit / parallelism) takes parallelism
 * spacings, so about `parallelism` windows overlap and the job as a whole
 * follows rateLimit.
 */
export function nextEmissionAt(emitted: EmittedWindows, windows: readonly WindowSpec[], rateLimit: number): number {
  let last: { index: number; at: number } | undefined;
  for (const [index, at] of emitted) {
    if (!last || at > last.at || (at === last.at && index > last.index)) last = { index, at };
  }
  if (!last) return 0;
  const events = windows.find((w) => w.index === last.index)?.expectedEvents ?? 0;
  return last.at + spacingMs(events, rateLimit);
}

export function spacingMs(events: number, rateLimit: number): number {
  return Math.ceil((events / rateLimit) * 1000);
}
