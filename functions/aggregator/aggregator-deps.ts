import type { CustomObjectsApi } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import type { Logger } from '../../shared/log.js';
import type { RecordEvent } from '../../shared/kube/record-event.js';
import type { JobMetrics } from '../../shared/metrics/job-metrics.js';

export interface AggregatorDeps {
  /** ReindexJob reads and status patches. */
  jobs: CustomObjectsApi;
  recordEvent: RecordEvent;
  metrics: JobMetrics;
  registry: Registry;
  log: Logger;
  /** The clock; tests pass a fixed one. */
  now?: () => Date;
}
