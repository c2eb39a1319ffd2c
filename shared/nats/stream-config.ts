import { nanos } from '@nats-io/transport-node';
import { DiscardPolicy, RetentionPolicy, StorageType, type StreamConfig } from '@nats-io/jetstream';
import { DEFAULT_SUBJECT_PREFIX } from './activity-subject.js';

export const DEFAULT_STREAM = 'ACTIVITIES_REINDEX';

/**
 * Ten minutes of de-duplication. A window is retried by the broker after it
 * failed, and a failed attempt may have run for minutes (a window is
 * batchSize × k events paced to its rateLimit) before the retry re-publishes
 * its first activities; the retry backoff and a controller restart that
 * re-emits unfinished windows add more. NATS's own default (2 min) is shorter
 * than one slow window. Longer costs server memory per message id; past the
 * window the ReplacingMergeTree sink still collapses copies.
 */
export const DEFAULT_DUPLICATE_WINDOW_MS = 10 * 60_000;
export const MAX_AGE_MS = 24 * 60 * 60_000;

export interface StreamOptions {
  name?: string;
  subjects?: string[];
  replicas?: number;
  duplicateWindowMs?: number;
}

/** The ACTIVITIES_REINDEX stream: file storage, 24h max age, limits retention. */
export function streamConfig(opts: StreamOptions = {}): StreamConfig {
  return {
    name: opts.name ?? DEFAULT_STREAM,
    subjects: opts.subjects ?? [`${DEFAULT_SUBJECT_PREFIX}.>`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(MAX_AGE_MS),
    duplicate_window: nanos(opts.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS),
    num_replicas: opts.replicas ?? 1,
  } as StreamConfig;
}
