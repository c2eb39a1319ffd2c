import type { ReindexJobStatus } from '../shared/api/reindex-job.js';
import type { EmissionRecord, InFlightWindow } from '../shared/contracts/emission-record.js';
import type { PlanWindows } from '../shared/contracts/job-plan.js';
import { hasWindow, parseWindowRanges, type WindowRanges } from '../shared/contracts/window-ranges.js';
import type { WindowEmission } from './action.js';
import { nextEmissionAt, spacingMs } from './pacing.js';

export interface EmissionInput {
  windows: PlanWindows;
  status: ReindexJobStatus | undefined;
  record: EmissionRecord;
  now: number;
  rateLimit: number;
  parallelism: number;
  /** An emitted window with no result after this long is emitted again (result-deadline.ts). */
  resultDeadlineMs: number;
}

export interface EmissionPlan {
  emit: WindowEmission[];
  /** In flight and emitted more than once, or overdue now: what makes a job Stalled. */
  stalled: number[];
  /** When to look again (ms from now), or undefined: a result will wake us. */
  requeueAfterMs?: number;
}

/** How far ahead of now a window's pacing slot may be and still go in this pass. */
export const EMISSION_LOOKAHEAD_MS = 250;

/** The windows status counts as answered, completed or failed. */
export function finishedWindows(status: ReindexJobStatus | undefined): (index: number) => boolean {
  const completed: WindowRanges = parseWindowRanges(status?.windows?.completedRanges);
  const failed: WindowRanges = parseWindowRanges(status?.windows?.failedRanges);
  return (index) => hasWindow(completed, index) || hasWindow(failed, index);
}

/**
 * Which windows to emit now: first those in flight past the result
 * deadline (again, same id), then new ones from `record.next` up, while
 * in flight ≤ parallelism and spaced by the rateLimit (see pacing.ts). Costs
 * O(parallelism), whatever the number of windows: it never walks the plan.
 */
export function planEmission(input: EmissionInput): EmissionPlan {
  const { windows, record, now, rateLimit, parallelism, resultDeadlineMs } = input;
  const finished = finishedWindows(input.status);
  const share = rateLimit / parallelism;
  const inFlight = record.inFlight.filter(([index]) => !finished(index));
  const overdue = inFlight.filter(([, at]) => now >= at + resultDeadlineMs);
  const emit: WindowEmission[] = overdue.map(([index, , attempts]) => ({ window: windows.at(index), rateLimit: share, attempt: attempts + 1, slot: now }));

  // Each window gets a time slot its predecessor's events at rateLimit away
  // from the previous one; those whose slot falls within the lookahead go in
  // this pass, so a fast job emits in batches (one record write each) rather
  // than one window per pass.
  let slot = Math.max(nextEmissionAt(record, windows.expectedEvents, rateLimit), now);
  let index = record.next;
  let added = 0;
  const going = new Set(inFlight.map(([i]) => i));
  // A window at or past `next` may have a result already (an earlier life of
  // the controller emitted it and stopped before recording that), or be in
  // flight (sent past one whose post failed).
  while (index < windows.length && inFlight.length + added < parallelism && slot <= now + EMISSION_LOOKAHEAD_MS) {
    if (!finished(index) && !going.has(index)) {
      emit.push({ window: windows.at(index), rateLimit: share, attempt: 1, slot });
      added++;
      slot += spacingMs(windows.expectedEvents(index), rateLimit);
    }
    index++;
  }

  const wakeups: number[] = [];
  const waitingForPace = index < windows.length && inFlight.length + added < parallelism;
  if (waitingForPace) wakeups.push(slot - now);
  for (const [i, at] of inFlight) if (!overdue.some(([o]) => o === i)) wakeups.push(at + resultDeadlineMs - now);
  if (overdue.length > 0) wakeups.push(resultDeadlineMs);
  const stalled = inFlight.filter(([, at, attempts]) => attempts > 1 || now >= at + resultDeadlineMs).map(([i]) => i);
  const requeueAfterMs = wakeups.length > 0 ? Math.max(1, Math.min(...wakeups)) : undefined;
  return { emit, stalled, requeueAfterMs };
}

/**
 * The record after `sent` went out (in order; [index, epoch ms, attempt]):
 * answered windows leave it, re-emitted ones restart their deadline, new
 * ones join, and `next` moves past every window below it that went out or
 * has a result. Its size is bounded
 * by parallelism, so its write does not grow with the job.
 */
export function recordEmissions(record: EmissionRecord, finished: (index: number) => boolean, sent: ReadonlyArray<readonly [index: number, at: number, attempt: number, slot: number]>): EmissionRecord {
  const inFlight = new Map<number, InFlightWindow>();
  for (const entry of record.inFlight) if (!finished(entry[0])) inFlight.set(entry[0], entry);
  let last = record.last;
  for (const [index, at, attempt, slot] of sent) {
    inFlight.set(index, [index, at, attempt]);
    // Pacing goes on from the latest slot (it may lie a little ahead), the deadline from the send.
    const paced = Math.max(at, slot);
    if (!last || paced >= last.at) last = { index, at: paced };
  }
  // Posts go out several at a time, so one may fail while later ones went: `next` stops at the first gap.
  let next = record.next;
  while (inFlight.has(next) || finished(next)) next++;
  return { jobUid: record.jobUid, next, ...(last ? { last } : {}), inFlight: [...inFlight.values()].sort((a, b) => a[0] - b[0]) };
}
