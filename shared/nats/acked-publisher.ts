import pRetry from 'p-retry';
import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import { UnavailableError } from '../errors/unavailable-error.js';
import type { FlowControl } from './flow-control.js';
import { isTransientNatsError } from './transient-error.js';

export interface AckedPublisherOptions {
  /** Publishes awaiting their ack at once; `send` makes the caller wait when this many are out. */
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
  /** Asked before each send: waits for the sink while the stream is near its limits (flow-control.ts). */
  flowControl?: FlowControl;
}

export interface PublishCounts {
  /** Acknowledged as stored. */
  published: number;
  /** Acknowledged as a copy of a message id the stream already holds. */
  duplicates: number;
  /** Time sends waited for the sink (flow control); absent without flow control. */
  flowControlWaitMs?: number;
}

export interface AckedPublisher {
  /**
   * Sends one message with its `Nats-Msg-Id`. Returns nothing while there is
   * room, so a caller that only awaits what it gets sends a run of messages
   * in one go (the NATS client writes everything queued before the next
   * microtask as one socket write); returns a promise to await when
   * `maxInFlight` acks are out or a message has failed for good.
   */
  send(subject: string, payload: Uint8Array, msgId: string): Promise<void> | undefined;
  /** Waits for every outstanding ack; throws UnavailableError if any message failed for good. */
  flush(): Promise<PublishCounts>;
}

/**
 * JetStream publishes with many acks outstanding at once, each counted only
 * when the stream acknowledged it, each retried with backoff on its own. A
 * message that still fails after its retries poisons the publisher: the next
 * `send` or `flush` rejects with `UnavailableError`, so the window answers
 * 503 and the broker redelivers it (the Msg-Ids make the re-publish harmless).
 */
export function createAckedPublisher(js: Pick<JetStreamClient, 'publish'>, opts: AckedPublisherOptions = {}): AckedPublisher {
  const maxInFlight = Math.max(1, opts.maxInFlight ?? 256);
  // Once full, wait until half the acks are back, then send the next half in
  // one write: resuming after every single ack would cost a write (a
  // syscall) per message.
  const resumeAt = Math.floor(maxInFlight / 2);
  const retries = opts.retries ?? 5;
  const ackTimeoutMs = opts.ackTimeoutMs ?? 5_000;
  const counts: PublishCounts = { published: 0, duplicates: 0 };
  let inFlight = 0;
  let waiters: { limit: number; wake: () => void }[] = [];
  let failure: UnavailableError | undefined;

  const retryOptions = {
    retries,
    factor: 2,
    minTimeout: opts.minBackoffMs ?? 100,
    maxTimeout: opts.maxBackoffMs ?? 2_000,
    // Once one message has failed for good the window is lost anyway:
    // stop retrying the rest so the 503 goes out promptly.
    shouldRetry: ({ error }: { error: Error }) => failure === undefined && isTransientNatsError(error),
  };

  const settled = () => {
    inFlight--;
    if (waiters.length === 0) return;
    const ready = waiters.filter((w) => inFlight <= w.limit);
    if (ready.length === 0) return;
    waiters = waiters.filter((w) => inFlight > w.limit);
    for (const w of ready) w.wake();
  };
  const drainTo = (limit: number): Promise<void> =>
    inFlight <= limit ? Promise.resolve() : new Promise((wake) => waiters.push({ limit, wake }));

  const start = (subject: string, payload: Uint8Array, msgId: string): void => {
    inFlight++;
    const attempt = () => js.publish(subject, payload, { msgID: msgId, timeout: ackTimeoutMs });
    // The first attempt goes out bare; only a failed one pays for p-retry,
    // which then backs off exactly as if it had made that attempt itself.
    attempt()
      .catch((first: Error) => pRetry((n) => (n === 1 ? Promise.reject(first) : attempt()), retryOptions))
      .then(
        (ack: PubAck) => {
          if (ack.duplicate) counts.duplicates++;
          else counts.published++;
          opts.onAck?.(ack.duplicate);
          settled();
        },
        (err: unknown) => {
          failure ??= new UnavailableError(`JetStream publish of ${msgId} to ${subject} failed: ${(err as Error).message}`, {
            cause: err,
          });
          settled();
        },
      );
  };

  const send = (subject: string, payload: Uint8Array, msgId: string): Promise<void> | undefined => {
    if (failure) return Promise.reject(failure);
    const room = opts.flowControl?.ready();
    // Asking the stream for room is a JetStream call too: NATS gone while
    // waiting is the same outage as a failed publish (503, redelivered).
    if (room)
      return room.then(
        () => send(subject, payload, msgId),
        (err: unknown) => {
          failure ??= new UnavailableError(`JetStream publish of ${msgId} to ${subject} failed: checking the stream's room: ${(err as Error).message}`, {
            cause: err,
          });
          throw failure;
        },
      );
    if (inFlight < maxInFlight) {
      start(subject, payload, msgId);
      return undefined;
    }
    return drainTo(resumeAt).then(() => {
      if (failure) throw failure;
      start(subject, payload, msgId);
    });
  };

  return {
    send,
    async flush() {
      await drainTo(0);
      if (failure) throw failure;
      return { ...counts, ...(opts.flowControl ? { flowControlWaitMs: opts.flowControl.waitedMs } : {}) };
    },
  };
}
