import { nanos } from '@nats-io/transport-node';
import { DiscardPolicy, RetentionPolicy, StorageType, type StreamConfig } from '@nats-io/jetstream';
import { DEFAULT_SUBJECT_PREFIX } from './activity-subject.js';

// The production stream as the Activity system deploys it (DESIGN.md §4.3;
// datum-cloud/activity config/components/nats-streams/reindex-stream.yaml).
// `nats-setup`, knative/nats/ and these defaults create exactly that.
export const DEFAULT_STREAM = 'ACTIVITIES_REINDEX';
/** The durable consumer Vector reads the stream through into audit.activities: the sink flow control watches. */
export const DEFAULT_SINK_CONSUMER = 'clickhouse-ingest-reindex';
/**
 * Five minutes of de-duplication, the production stream's: Msg-Ids of a
 * window retried by the broker (about four minutes of backoff in all,
 * knative/broker.yaml) are still remembered; past it the ReplacingMergeTree
 * sink folds copies anyway.
 */
export const DEFAULT_DUPLICATE_WINDOW_MS = 5 * 60_000;
export const MAX_AGE_MS = 7 * 24 * 60 * 60_000;
export const DEFAULT_MAX_BYTES = 1024 * 1024 * 1024;
export const DEFAULT_MAX_MSG_SIZE = 1024 * 1024;
const MAX_CONSUMERS = 100;

export interface StreamOptions {
  name?: string;
  subjects?: string[];
  replicas?: number;
  duplicateWindowMs?: number;
  maxBytes?: number;
  maxMsgSize?: number;
  maxAgeMs?: number;
}

/** The ACTIVITIES_REINDEX stream: file storage, limits retention, `discard: old`, 1 GiB, 1 MiB messages, 7 days. */
export function streamConfig(opts: StreamOptions = {}): StreamConfig {
  return {
    name: opts.name ?? DEFAULT_STREAM,
    subjects: opts.subjects ?? [`${DEFAULT_SUBJECT_PREFIX}.>`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(opts.maxAgeMs ?? MAX_AGE_MS),
    max_bytes: opts.maxBytes ?? DEFAULT_MAX_BYTES,
    max_msg_size: opts.maxMsgSize ?? DEFAULT_MAX_MSG_SIZE,
    max_msgs: -1,
    max_consumers: MAX_CONSUMERS,
    allow_direct: true,
    duplicate_window: nanos(opts.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS),
    num_replicas: opts.replicas ?? 1,
  } as StreamConfig;
}
