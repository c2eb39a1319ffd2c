import type { Registry } from 'prom-client';
import type { Logger } from '../../shared/log.js';
import type { JobMetrics } from '../../shared/metrics/job-metrics.js';
import type { StatusWriter } from './status-writer.js';

export interface AggregatorDeps {
  /** Folds inputs into ReindexJob status, coalescing writes per job. */
  status: StatusWriter;
  metrics: JobMetrics;
  registry: Registry;
  log: Logger;
  /** HMAC key (REINDEX_SIGNING_KEY): every event must carry a signature made with it. */
  signingKey: string;
  /** Largest accepted request body (default 1 MiB). */
  maxBodyBytes?: number;
}
