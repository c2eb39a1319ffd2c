import type { EmissionRecord } from '../shared/contracts/emission-record.js';

/**
 * When the next window may be emitted (epoch ms; 0 = now): the previous
 * emission plus the time its events take at the current rateLimit. Spacing by
 * the last window alone makes a rethrottle act on the very next window, and a
 * window processed at its share (rateLimit / parallelism) takes parallelism
 * spacings, so about `parallelism` windows overlap and the job as a whole
 * follows rateLimit.
 */
export function nextEmissionAt(record: EmissionRecord, expectedEvents: (index: number) => number, rateLimit: number): number {
  if (!record.last) return 0;
  return record.last.at + spacingMs(expectedEvents(record.last.index), rateLimit);
}

export function spacingMs(events: number, rateLimit: number): number {
  return Math.ceil((events / rateLimit) * 1000);
}
