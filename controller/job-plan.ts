import type { DiscoveryTable } from '../shared/api/activity-policy.js';
import type { JobPolicy } from '../shared/api/reindex-job.js';
import type { PolicySnapshot, WindowSpec } from '../shared/contracts/window-requested.js';
import type { FixedSpec } from './fixed-spec.js';

export interface TimeRange {
  startTime: string;
  endTime: string;
}

/**
 * Everything fixed when a job starts: the resolved range, the windows, and
 * the policy and discovery snapshots every window carries. It lives in a
 * ConfigMap owned by the job so a restarted controller finds it again.
 */
export interface JobPlan {
  /** The job the plan was made for: a job re-created under the same name must not inherit it. */
  jobUid: string;
  resolvedTimeRange: TimeRange;
  windows: WindowSpec[];
  totalEvents: number;
  policies: PolicySnapshot[];
  /** Policies the selector matched but left out (not Ready), with why: status.policies names them. */
  skippedPolicies?: JobPolicy[];
  discovery: DiscoveryTable;
  /** timeRange, policySelector, batchSize and dryRun as the job started: every window carries these, whatever the spec says later. */
  fixedSpec: FixedSpec;
}

/**
 * When each window was last emitted (index → epoch ms). Recorded beside the
 * plan after every emission, so a restart keeps pacing and knows which
 * windows are still in flight instead of emitting them all again.
 */
export type EmittedWindows = ReadonlyMap<number, number>;
