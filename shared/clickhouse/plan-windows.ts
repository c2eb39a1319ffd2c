import type { Source, WindowSpec } from '../contracts/window-requested.js';
import type { Bucket } from './count-buckets.js';
import type { Instant } from './clickhouse-time.js';

export interface PlanInput {
  from: Instant;
  to: Instant;
  /**
   * Informational only: packing cuts at bucket starts, so buckets of mixed
   * sizes (dense ones re-counted finer, count-window-buckets.ts) pack alike.
   */
  bucketSeconds?: number;
  /** Non-empty, non-overlapping buckets per source, as countBuckets or countWindowBuckets return them. */
  buckets: Record<Source, Bucket[]>;
  /** At most how many events a window should hold (controller/window-target.ts). */
  targetEvents: number;
}

const SOURCES: Source[] = ['audit', 'event'];

/**
 * Packs bucket counts into windows, deterministically. Per source the
 * windows tile [from, to) exactly (each starts where the previous ended, the
 * first at `from`, the last ends at `to`) and hold about `targetEvents`: a
 * window is closed before the bucket that would push it past the target, so
 * only a single bucket larger than the target makes a larger window (callers
 * refine such buckets first, down to one second: only a second holding more
 * rows than the target still does). Every
 * source gets at least one window, even with no rows (expectedEvents 0), so
 * the whole range is always covered. Audit windows first, then Event
 * windows; indexes 0..n-1.
 */
export function planWindows(input: PlanInput): WindowSpec[] {
  const fromMs = new Date(input.from).getTime();
  const toMs = new Date(input.to).getTime();
  if (!(fromMs < toMs)) throw new Error(`Planning needs from < to, got ${String(input.from)} .. ${String(input.to)}`);
  if (!(input.targetEvents >= 1)) throw new Error(`Target events per window must be at least 1, got ${input.targetEvents}`);
  const windows: WindowSpec[] = [];
  for (const source of SOURCES) {
    const buckets = [...(input.buckets[source] ?? [])]
      .map((b) => ({ startMs: Date.parse(b.start), count: b.count }))
      .filter((b) => b.count > 0)
      .sort((a, b) => a.startMs - b.startMs);
    let startMs = fromMs;
    let pending = 0;
    for (const bucket of buckets) {
      const boundary = Math.min(Math.max(bucket.startMs, startMs), toMs);
      if (pending > 0 && pending + bucket.count > input.targetEvents && boundary > startMs) {
        windows.push(spec(windows.length, source, startMs, boundary, pending));
        startMs = boundary;
        pending = 0;
      }
      pending += bucket.count;
    }
    windows.push(spec(windows.length, source, startMs, toMs, pending));
  }
  return windows;
}

function spec(index: number, source: Source, fromMs: number, toMs: number, expectedEvents: number): WindowSpec {
  return { index, source, from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), expectedEvents };
}

export const NICE_SECONDS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/**
 * A round bucket size giving at most ~2000 buckets over [from, to): fine
 * enough to pack windows evenly, coarse enough for one cheap GROUP BY.
 */
export function chooseBucketSeconds(from: Instant, to: Instant, maxBuckets = 2000): number {
  const spanSeconds = (new Date(to).getTime() - new Date(from).getTime()) / 1000;
  const wanted = spanSeconds / maxBuckets;
  return NICE_SECONDS.find((s) => s >= wanted) ?? Math.ceil(wanted / 86400) * 86400;
}
