import { collectDefaultMetrics, Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Error kinds counted by the window function; a closed set keeps label cardinality fixed. */
export type WindowErrorType =
  | 'malformed_row' // event_json that does not parse
  | 'evaluation' // a CEL match/summary error or an unusable input
  | 'no_origin_id' // an input without auditID / metadata.uid
  | 'activity_too_large' // an activity over the stream's max message size
  | 'invalid_event' // a CloudEvent rejected with 400
  | 'unauthorized' // a window without a valid signature, rejected with 401
  | 'too_large' // a body rejected with 413
  | 'unavailable' // ClickHouse or NATS did not answer (503)
  | 'internal';

export interface WindowMetrics {
  eventsProcessed: Counter<'source_type' | 'policy' | 'dry_run'>;
  activitiesGenerated: Counter<'policy' | 'dry_run'>;
  activitiesPublished: Counter<'policy'>;
  errors: Counter<'error_type'>;
  batchDuration: Histogram;
  publishAcks: Counter<'result'>;
  windows: Counter<'source' | 'outcome'>;
  windowDuration: Histogram<'source' | 'outcome'>;
  flowControlWait: Counter;
  flowControlWaiting: Gauge;
}

/**
 * The window function's metrics, with the default process metrics (CPU,
 * RSS, event loop lag) that the benchmark and dashboards read. The first
 * five carry the names, labels and buckets of the Activity system's
 * reindexer (datum-cloud/activity internal/reindex/metrics.go), so its
 * dashboards keep working: `policy` on events_processed_total is "all"
 * there too (every row goes through every policy of the job). The rest are
 * ours.
 */
export function createWindowMetrics(register: Registry): WindowMetrics {
  collectDefaultMetrics({ register });
  const registers = [register];
  return {
    eventsProcessed: new Counter({
      name: 'activity_reindex_events_processed_total',
      help: 'Total number of source events processed during reindexing, by source_type (audit or event).',
      labelNames: ['source_type', 'policy', 'dry_run'],
      registers,
    }),
    activitiesGenerated: new Counter({
      name: 'activity_reindex_activities_generated_total',
      help: 'Total number of activities generated during reindexing (published or, in a dry run, not), by policy.',
      labelNames: ['policy', 'dry_run'],
      registers,
    }),
    activitiesPublished: new Counter({
      name: 'activity_reindex_activities_published_total',
      help: 'Total number of activities published to NATS and acknowledged, by policy (counted when their window completes).',
      labelNames: ['policy'],
      registers,
    }),
    errors: new Counter({
      name: 'activity_reindex_errors_total',
      help: 'Total number of errors encountered during reindexing: counted row errors and rejected or failed windows, by error_type.',
      labelNames: ['error_type'],
      registers,
    }),
    batchDuration: new Histogram({
      name: 'activity_reindex_batch_duration_seconds',
      help: 'Time spent publishing each batch of batchSize rows once the rate admitted it (its evaluation ran ahead, in a worker).',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    publishAcks: new Counter({
      name: 'activity_reindex_publish_acks_total',
      help: 'JetStream acknowledgements of published activities; result "duplicate" when the stream already held the Msg-Id.',
      labelNames: ['result'],
      registers,
    }),
    windows: new Counter({
      name: 'activity_reindex_windows_total',
      help: 'Windows handled, by source and outcome (completed, rejected, unavailable, failed).',
      labelNames: ['source', 'outcome'],
      registers,
    }),
    windowDuration: new Histogram({
      name: 'activity_reindex_window_duration_seconds',
      help: 'Time to handle one window, from the request to the reply, by outcome.',
      labelNames: ['source', 'outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
      registers,
    }),
    flowControlWait: new Counter({
      name: 'activity_reindex_flow_control_wait_seconds_total',
      help: 'Time publishing waited for the sink consumer while the stream was near its limits (flow control), in seconds.',
      registers,
    }),
    flowControlWaiting: new Gauge({
      name: 'activity_reindex_flow_control_waiting',
      help: 'Windows whose publishing is waiting for the sink consumer right now (flow control).',
      registers,
    }),
  };
}
