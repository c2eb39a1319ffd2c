import type { TimeRange } from '../shared/contracts/job-plan.js';
import type { WindowSpec } from '../shared/contracts/window-requested.js';
import type { JobPolicy } from '../shared/api/reindex-job.js';

/** One window to send, with its share of the job's rateLimit (events/s). */
export interface WindowEmission {
  window: WindowSpec;
  rateLimit: number;
  /** 1 for the first emission; more when a window's result never came within the deadline. */
  attempt: number;
  /** The pacing slot (epoch ms) this emission takes: the next one is spaced from it. */
  slot: number;
}

/** What `decide` asks the shell to do for one job, in order. */
export type Action =
  /** End the job Failed with a message naming the problem. */
  | { type: 'fail'; reason: string; message: string; policies?: JobPolicy[] }
  /** Stay Pending, saying what the job waits for. */
  | { type: 'wait'; message: string }
  /** Snapshot policies and discovery, plan windows, store the plan. */
  | { type: 'prepare'; resolvedTimeRange: TimeRange }
  /** The plan is stored: phase Running, totals, Event Started. */
  | { type: 'start' }
  /** Nothing to process (no window planned): Succeeded at once. */
  | { type: 'complete'; message: string }
  | { type: 'suspend'; message: string }
  | { type: 'resume'; message: string }
  /** Acknowledge a spec generation (rethrottle, or a change ignored after the end). */
  | { type: 'observe'; generation: number; message?: string }
  /** Condition Stalled=True (and a Warning Event): windows had no result within the deadline. */
  | { type: 'stall'; message: string }
  /** Condition Stalled=False: every re-emitted window has answered. */
  | { type: 'unstall'; message: string }
  | { type: 'emit'; windows: WindowEmission[] }
  | { type: 'deleteJob' }
  | { type: 'requeueAfter'; ms: number };
