import type { ErrorSample } from '../contracts/window-completed.js';

// ReindexJob (activity.miloapis.com/v1alpha1, cluster-scoped): DESIGN.md §4.1.

export const GROUP = 'activity.miloapis.com';
export const VERSION = 'v1alpha1';
export const REINDEXJOB_PLURAL = 'reindexjobs';
export const REINDEXJOB_KIND = 'ReindexJob';
export const ACTIVITYPOLICY_PLURAL = 'activitypolicies';

export interface ReindexJobSpec {
  timeRange: { startTime: string; endTime?: string };
  policySelector?: { names?: string[]; matchLabels?: Record<string, string> };
  config?: {
    batchSize?: number;
    rateLimit?: number;
    dryRun?: boolean;
    parallelism?: number;
    /** A count of non-fatal errors, or a percent of processed events ("0.5%"). */
    maxErrors?: number | string;
  };
  ttlSecondsAfterFinished?: number;
  suspend?: boolean;
}

export type ReindexJobPhase = 'Pending' | 'Running' | 'Suspended' | 'Succeeded' | 'Failed';

/** metav1.Condition */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

// One kind of error with its first example and count: typed once, with the
// window.completed contract that carries it to the aggregator.
export type { ErrorSample };

export interface DryRunSample {
  originId: string;
  policy?: string;
  storedSummary?: string;
  newSummary?: string;
}

export interface DryRunReport {
  wouldCreate: number;
  wouldChange: number;
  unchanged: number;
  wouldOrphan: number;
  samples: { create: DryRunSample[]; change: DryRunSample[]; orphan: DryRunSample[] };
}

export interface InFlightWindow {
  index: number;
  processedEvents: number;
  activitiesGenerated: number;
  errors: number;
}

export interface ProgressSample {
  at: string;
  processedEvents: number;
}

export interface SourceWindows {
  total: number;
  completed: number;
  failed: number;
}

export interface ReindexJobStatus {
  phase?: ReindexJobPhase;
  message?: string;
  observedGeneration?: number;
  progress?: {
    totalEvents: number;
    processedEvents: number;
    activitiesGenerated: number;
    errors: number;
    currentBatch: number;
    totalBatches: number;
    /** Integer percent of processed events, 0..100 (100 only once Succeeded): what the PROGRESS printer column shows. */
    percent?: number;
    /** Seconds windows spent waiting for the sink consumer while the stream was near its limits (DESIGN.md §4.3 flow control). */
    flowControlWaitSeconds?: number;
    /**
     * Windows still running, with the counts they last reported
     * (window.progress). Already in the totals above; their results replace
     * them, so nothing counts twice.
     */
    inFlight?: InFlightWindow[];
    /** processedEvents as it moved over the last minute or so: eventsPerSecond is measured over these. */
    recent?: ProgressSample[];
  };
  startedAt?: string;
  completedAt?: string;
  conditions?: Condition[];
  resolvedTimeRange?: { startTime: string; endTime: string };
  /** The policies the selector matched: each used by every window, or, with `skipped`, left out and why. */
  policies?: JobPolicy[];
  windows?: {
    total: number;
    completed: number;
    failed: number;
    completedRanges: string;
    failedRanges: string;
    /** Per source: the controller sets each `total` when it plans, the aggregator counts the rest. */
    bySource?: { audit: SourceWindows; event: SourceWindows };
  };
  /** resolvedTimeRange as an ISO 8601 interval `<start>/<end>`: the TIME RANGE printer column. */
  timeRange?: string;
  eventsPerSecond?: number;
  estimatedCompletionTime?: string;
  errorSamples?: ErrorSample[];
  dryRunReport?: DryRunReport;
}

export interface JobPolicy {
  name: string;
  resourceVersion: string;
  /** Why the policy was left out (not Ready); absent for the policies every window uses. */
  skipped?: string;
}

export interface ObjectMeta {
  name: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
}

export interface ReindexJob {
  apiVersion: `${typeof GROUP}/${typeof VERSION}`;
  kind: typeof REINDEXJOB_KIND;
  metadata: ObjectMeta;
  spec: ReindexJobSpec;
  status?: ReindexJobStatus;
}

export const TERMINAL_PHASES: ReadonlySet<ReindexJobPhase> = new Set(['Succeeded', 'Failed']);
