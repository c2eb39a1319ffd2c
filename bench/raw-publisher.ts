import type { JetStreamClient } from '@nats-io/jetstream';

export interface RawPublisher {
  publish(subject: string, payload: Uint8Array, msgId: string): Promise<void>;
  /** Waits for every ack; returns how many were acknowledged. */
  flush(): Promise<number>;
}

/**
 * The least a publisher must do: JetStream publishes with `Nats-Msg-Id`, at
 * most `maxInFlight` awaiting their ack, each counted only when acked. The
 * I/O-only path's publisher: no retries, no encoding, so what it costs is
 * the floor the real publisher is measured against.
 */
export function createRawPublisher(js: Pick<JetStreamClient, 'publish'>, maxInFlight: number, ackTimeoutMs: number): RawPublisher {
  let inFlight = 0;
  let acked = 0;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const settle = () => {
    inFlight--;
    const w = wake;
    wake = undefined;
    w?.();
  };
  const waitForRoom = (limit: number): Promise<void> =>
    new Promise<void>((ok) => {
      wake = ok;
    }).then(() => (inFlight > limit ? waitForRoom(limit) : undefined));
  return {
    async publish(subject, payload, msgId) {
      if (failure) throw failure;
      if (inFlight >= maxInFlight) await waitForRoom(maxInFlight - 1);
      inFlight++;
      js.publish(subject, payload, { msgID: msgId, timeout: ackTimeoutMs }).then(
        () => {
          acked++;
          settle();
        },
        (err: Error) => {
          failure ??= err;
          settle();
        },
      );
    },
    async flush() {
      if (inFlight > 0) await waitForRoom(0);
      if (failure) throw failure;
      return acked;
    },
  };
}
