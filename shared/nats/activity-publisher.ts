import pRetry from 'p-retry';
import { errors as natsErrors } from '@nats-io/transport-node';
import { JetStreamApiError, type JetStreamClient, type PubAck } from '@nats-io/jetstream';
import type { Activity } from '../api/activity.js';
import { UnavailableError } from '../errors/unavailable-error.js';
import { activityMsgId, activitySubject, DEFAULT_SUBJECT_PREFIX } from './activity-subject.js';

export interface ActivityPublisherOptions {
  subjectPrefix?: string;
  /** Publishes awaiting their ack at once; `publish` waits when this many are out. */
  maxInFlight?: number;
  /** Retries of one message after its first attempt, with exponential backoff. */
  retries?: number;
  /** How long one attempt waits for its ack. */
  ackTimeoutMs?: number;
  /** First backoff delay; doubles per retry up to `maxBackoffMs`. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Called once per acknowledged message (for metrics). */
  onAck?: (duplicate: boolean) => void;
}

export interface PublishCounts {
  /** Acknowledged as stored. */
  published: number;
  /** Acknowledged as a copy of a message id the stream already holds. */
  duplicates: number;
}

export interface ActivityPublisher {
  publish(activity: Activity, jobUid: string): Promise<void>;
  flush(): Promise<PublishCounts>;
}

const encoder = new TextEncoder();

/**
 * Publishes activities with many acks outstanding at once. A message counts
 * only once the stream acknowledged it. A message that still fails after its
 * retries poisons the publisher: the next `publish` or `flush` throws
 * `UnavailableError`, so the window answers 503 and the broker redelivers it
 * (the Msg-Ids make the re-publish harmless).
 */
export function createActivityPublisher(js: Pick<JetStreamClient, 'publish'>, opts: ActivityPublisherOptions = {}): ActivityPublisher {
  const prefix = opts.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX;
  const maxInFlight = Math.max(1, opts.maxInFlight ?? 256);
  const retries = opts.retries ?? 5;
  const ackTimeoutMs = opts.ackTimeoutMs ?? 5_000;
  const counts: PublishCounts = { published: 0, duplicates: 0 };
  const inFlight = new Set<Promise<void>>();
  let failure: UnavailableError | undefined;

  const send = (subject: string, payload: Uint8Array, msgID: string): Promise<PubAck> =>
    pRetry(() => js.publish(subject, payload, { msgID, timeout: ackTimeoutMs }), {
      retries,
      factor: 2,
      minTimeout: opts.minBackoffMs ?? 100,
      maxTimeout: opts.maxBackoffMs ?? 2_000,
      // Once one message has failed for good the window is lost anyway:
      // stop retrying the rest so the 503 goes out promptly.
      shouldRetry: ({ error }) => failure === undefined && isTransient(error),
    });

  const throwIfFailed = () => {
    if (failure) throw failure;
  };

  return {
    async publish(activity, jobUid) {
      throwIfFailed();
      while (inFlight.size >= maxInFlight) {
        await Promise.race(inFlight);
        throwIfFailed();
      }
      // Encoded once: retries resend the same bytes.
      const payload = encoder.encode(JSON.stringify(activity));
      const subject = activitySubject(activity, prefix);
      const msgId = activityMsgId(activity, jobUid);
      const p: Promise<void> = send(subject, payload, msgId)
        .then((ack) => {
          if (ack.duplicate) counts.duplicates++;
          else counts.published++;
          opts.onAck?.(ack.duplicate);
        })
        .catch((err: unknown) => {
          failure ??= new UnavailableError(`JetStream publish of ${msgId} to ${subject} failed: ${(err as Error).message}`, {
            cause: err,
          });
        })
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    },
    async flush() {
      while (inFlight.size > 0) await Promise.all(inFlight);
      throwIfFailed();
      return { ...counts };
    },
  };
}

// Timeouts, no responders (a stream leader moving) and a server answering
// 503 can pass; a closed connection or a request the server rejected will
// not get better by asking again.
function isTransient(error: Error): boolean {
  if (error instanceof natsErrors.ClosedConnectionError || error instanceof natsErrors.DrainingConnectionError) return false;
  if (error instanceof JetStreamApiError) return error.status >= 500;
  return true;
}
