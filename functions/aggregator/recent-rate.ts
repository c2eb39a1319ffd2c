// eventsPerSecond over the last minute, pure. Every fold (a progress report
// or a result) records processedEvents at that moment in
// status.progress.recent; the rate is how far it moved over the last
// RATE_WINDOW_MS. Unlike processed ÷ time since start, a pause or a
// rethrottle is forgotten within a minute.
import type { ProgressSample, ReindexJobStatus } from '../../shared/api/reindex-job.js';

export const RATE_WINDOW_MS = 60_000;
/** A sample within this of the one before the last replaces the last: about one per 2 s, at most ~31 in status. */
const SAMPLE_GAP_MS = 4_000;
/**
 * Between two samples further apart than this nothing was folded (a
 * suspended job, a stalled one): no progress is assumed in between rather
 * than a straight line across the gap.
 */
const MAX_INTERPOLATED_GAP_MS = 15_000;

/** `samples` with processedEvents at `now` added, and those no longer needed dropped. */
export function recordSample(samples: readonly ProgressSample[] | undefined, now: Date, processedEvents: number): ProgressSample[] {
  const list = [...(samples ?? [])].filter((s) => Date.parse(s.at) <= now.getTime());
  const last = list.at(-1);
  const sample = { at: now.toISOString(), processedEvents };
  // Folded at the same moment, or the last is one of two close together: it gives way.
  const replaces = last && (Date.parse(last.at) === now.getTime() || (list.length > 1 && now.getTime() - Date.parse(list.at(-2)!.at) < SAMPLE_GAP_MS));
  if (replaces) list[list.length - 1] = sample;
  else list.push(sample);
  // Keep one sample at or before the window's start: the rate's baseline.
  const start = now.getTime() - RATE_WINDOW_MS;
  let first = 0;
  while (first + 1 < list.length && Date.parse(list[first + 1]!.at) <= start) first++;
  return list.slice(first);
}

/** processedEvents at time `t`, from the samples (0 before the first). */
function valueAt(samples: readonly ProgressSample[], t: number): number {
  let before: ProgressSample | undefined;
  let after: ProgressSample | undefined;
  for (const s of samples) {
    if (Date.parse(s.at) <= t) before = s;
    else {
      after = s;
      break;
    }
  }
  if (!before) return 0;
  if (!after) return before.processedEvents;
  const [t0, t1] = [Date.parse(before.at), Date.parse(after.at)];
  if (t1 - t0 > MAX_INTERPOLATED_GAP_MS) return before.processedEvents;
  return before.processedEvents + ((after.processedEvents - before.processedEvents) * (t - t0)) / (t1 - t0);
}

/** Events per second over the last minute (or since the start, if later); undefined before any time has passed. */
export function recentRate(samples: readonly ProgressSample[], now: Date, startedAt: string | undefined): number | undefined {
  const last = samples.at(-1);
  if (!last) return undefined;
  const first = samples[0]!;
  const started = startedAt ? Date.parse(startedAt) : Date.parse(first.at);
  let from = Math.max(now.getTime() - RATE_WINDOW_MS, started);
  let base: number;
  // Before the first sample the job had processed nothing since it started,
  // unless samples began later than that (a status written before them).
  if (Date.parse(first.at) > from && from > started) [from, base] = [Date.parse(first.at), first.processedEvents];
  else base = valueAt(samples, from);
  const seconds = (now.getTime() - from) / 1000;
  if (seconds <= 0) return undefined;
  return Math.max(0, (last.processedEvents - base) / seconds);
}

/**
 * Records processedEvents now and sets eventsPerSecond and
 * estimatedCompletionTime from the recent rate (mutates `status`). No
 * estimate while suspended (nothing is emitted) or at rate 0.
 */
export function updateRecentRate(status: ReindexJobStatus, now: Date): void {
  const progress = status.progress;
  if (!progress) return;
  progress.recent = recordSample(progress.recent, now, progress.processedEvents);
  const rate = recentRate(progress.recent, now, status.startedAt);
  if (rate === undefined) return;
  status.eventsPerSecond = Math.round(rate * 100) / 100;
  const remaining = Math.max(0, progress.totalEvents - progress.processedEvents);
  if (status.phase === 'Suspended' || rate <= 0) delete status.estimatedCompletionTime;
  else status.estimatedCompletionTime = new Date(now.getTime() + Math.ceil((remaining / rate) * 1000)).toISOString();
}
