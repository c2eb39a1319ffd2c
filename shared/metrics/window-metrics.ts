import { collectDefaultMetrics, Counter, Histogram, type Registry } from 'prom-client';

/** Error kinds counted by the window function; a closed set keeps label cardinality fixed. */
export type WindowErrorType =
  | 'malformed_row' // event_json that does not parse
  | 'evaluation' // a CEL match/summary error or an unusable input
  | 'no_origin_id' // an input without auditID / metadata.uid
  | 'activity_too_large' // an activity over the stream's max message size
  | 'invalid_event' // a CloudEvent rejected with 400
  | 'too_large' // a body rejected with 413
  | 'unavailable' // ClickHouse or NATS did not answer (503)
  | 'internal';

export interface WindowMetrics {
  eventsProcessed: Counter<'source'>;
  activitiesGenerated: Counter<'source'>;
  activitiesPublished: Counter<'result'>;
  errors: Counter<'type'>;
  windows: Counter<'source' | 'outcome'>;
  batchDuration: Histogram<'source'>;
  windowDuration: Histogram<'source' | 'outcome'>;
}

/**
 * The `activity_reindex_*` metrics of the window function, registered on the
 * given registry together with the default process metrics (CPU, RSS, event
 * loop lag) that the benchmark and dashboards read.
 */
export function createWindowMetrics(register: Registry): WindowMetrics {
  collectDefaultMetrics({ register });
  const registers = [register];
  return {
    eventsProcessed: new Counter({
      name: 'activity_reindex_events_processed_total',
      help: 'Source rows read and evaluated, by source (audit or event).',
      labelNames: ['source'],
      registers,
    }),
    activitiesGenerated: new Counter({
      name: 'activity_reindex_activities_generated_total',
      help: 'Activities produced by the policies, published or (dry run) not, by source.',
      labelNames: ['source'],
      registers,
    }),
    activitiesPublished: new Counter({
      name: 'activity_reindex_activities_published_total',
      help: 'Activities acknowledged by JetStream; result "duplicate" when the stream already held the Msg-Id.',
      labelNames: ['result'],
      registers,
    }),
    errors: new Counter({
      name: 'activity_reindex_errors_total',
      help: 'Errors by type: counted row errors and rejected or failed windows.',
      labelNames: ['type'],
      registers,
    }),
    windows: new Counter({
      name: 'activity_reindex_windows_total',
      help: 'Windows handled, by source and outcome (completed, rejected, unavailable, failed).',
      labelNames: ['source', 'outcome'],
      registers,
    }),
    batchDuration: new Histogram({
      name: 'activity_reindex_batch_duration_seconds',
      help: 'Time to evaluate one page of rows and hand its activities to the publisher.',
      labelNames: ['source'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    windowDuration: new Histogram({
      name: 'activity_reindex_window_duration_seconds',
      help: 'Time to handle one window, from the request to the reply, by outcome.',
      labelNames: ['source', 'outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
      registers,
    }),
  };
}
