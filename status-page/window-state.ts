import type { ReindexJobStatus } from '../shared/api/reindex-job.js';
import { parseWindowRanges, windowIndexes } from '../shared/contracts/window-ranges.js';

export type WindowState = 'pending' | 'inflight' | 'done' | 'failed';

export interface WindowStateSets {
  completed: Set<number>;
  failed: Set<number>;
  /** Emitted and not yet answered; empty when the controller does not record it. */
  inFlight: Set<number>;
}

export function windowStateSets(status: ReindexJobStatus | undefined, inFlight: Set<number> = new Set()): WindowStateSets {
  return {
    completed: new Set(windowIndexes(parseWindowRanges(status?.windows?.completedRanges))),
    failed: new Set(windowIndexes(parseWindowRanges(status?.windows?.failedRanges))),
    inFlight,
  };
}

// Failed wins over completed: a window reported both ways ended the job, and
// hiding that behind green would hide why.
export function windowState(index: number, sets: WindowStateSets): WindowState {
  if (sets.failed.has(index)) return 'failed';
  if (sets.completed.has(index)) return 'done';
  if (sets.inFlight.has(index)) return 'inflight';
  return 'pending';
}
