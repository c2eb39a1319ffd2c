import type { Registry } from 'prom-client';
import type { Activity } from '../../shared/api/activity.js';
import type { WindowDryRun } from '../../shared/contracts/window-completed.js';
import type { WindowRequested, WindowSpec } from '../../shared/contracts/window-requested.js';
import type { Logger } from '../../shared/log.js';
import type { WindowMetrics } from '../../shared/metrics/window-metrics.js';
import type { ActivityPublisher } from '../../shared/nats/activity-publisher.js';
import type { RawPage } from '../../shared/clickhouse/read-window.js';
import type { EvaluationOutcome, InputKind } from '../../shared/policy/evaluation-outcome.js';
import type { ReportProgress } from './progress-reporter.js';
import type { EvaluatePool } from './evaluate-pool.js';

/** What the window needs of the policy engine: one input in, one outcome out. */
export interface PolicyEvaluator {
  evaluate(kind: InputKind, input: unknown): EvaluationOutcome;
}

/**
 * Dry runs only: told each page's would-be activities, it compares them with
 * `audit.activities` and reports what would change. Streams per page so a
 * window's activities are never all held at once.
 */
export interface DryRunComparison {
  add(activities: Activity[]): Promise<void>;
  finish(): Promise<WindowDryRun>;
}

export interface Readiness {
  nats: boolean;
  clickhouse: boolean;
}

export type WindowDeps = {
  /**
   * Pages of the window's rows in (timestamp, id) order, as ClickHouse sent
   * them (see readWindowRawPages), each as large as the reader chooses
   * (bounded by bytes), whatever batchSize; throws when ClickHouse does not answer.
   */
  readWindow: (window: WindowSpec) => AsyncIterable<RawPage>;
  /** Parses, evaluates and encodes each page: worker threads, or (size 0) this thread. */
  evaluatePool: EvaluatePool;
  /** A fresh publisher per window: its counts are the window's. */
  createPublisher: () => ActivityPublisher;
  /**
   * The largest message (headers and payload) the stream takes: the smaller
   * of its max message size and the server's max_payload. A larger activity
   * is a row error. Undefined: no limit (activities not sent over NATS).
   */
  maxMessageBytes?: number;
  /**
   * Sends the window's counts so far (window.progress) every
   * `progressIntervalMs` (default 5 s) while it runs; never rejects.
   * Without it (no Broker to send to) the status moves per window only.
   */
  reportProgress?: ReportProgress;
  progressIntervalMs?: number;
  /** Optional seam for the dry-run report; without it a dry run only counts. */
  compareDryRun?: (request: WindowRequested) => DryRunComparison;
  ready: () => Promise<Readiness>;
  metrics: WindowMetrics;
  registry: Registry;
  log: Logger;
  /** Largest accepted request body (default 1 MiB). */
  maxBodyBytes?: number;
  /** HMAC key (REINDEX_SIGNING_KEY): windows must carry the controller's signature; replies carry ours. */
  signingKey: string;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
};
