import type { WindowSpec } from '../shared/contracts/window-requested.js';
import type { TimeRange } from './job-plan.js';
import type { JobPolicy } from '../shared/api/reindex-job.js';

/** One window to send, with its share of the job's rateLimit (events/s). */
export interface WindowEmission {
  window: WindowSpec;
  rateLimit: number;
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
  | { type: 'emit'; windows: WindowEmission[] }
  | { type: 'deleteJob' }
  | { type: 'requeueAfter'; ms: number };
