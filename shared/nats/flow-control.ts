import { setTimeout as delay } from 'node:timers/promises';
import { JetStreamApiCodes, JetStreamApiError, type JetStreamManager } from '@nats-io/jetstream';

/**
 * Flow control for a `discard: old` stream (DESIGN.md §4.3): a full stream
 * silently drops its oldest messages, consumed or not. Before publishing,
 * the window asks `ready()`; while the bytes the sink consumer has not yet
 * acknowledged fill more than `highWater` of the stream's max bytes (or
 * messages of its max messages), it waits for the sink instead, so no
 * unconsumed activity is ever discarded.
 */
export interface FlowControl {
  /** Undefined when publishing may go on (checked at most every `pollMs`); else a promise that resolves once there is room. */
  ready(): Promise<void> | undefined;
  /** Milliseconds spent waiting so far. */
  readonly waitedMs: number;
}

export interface FlowControlOptions {
  stream: string;
  /** The durable consumer that moves activities into ClickHouse (Vector's `clickhouse-ingest-reindex` in production). */
  consumer: string;
  /** Share of the stream's limit the unconsumed messages may fill (default 0.8): the rest absorbs what is in flight. */
  highWater?: number;
  pollMs?: number;
  /** Called with each wait's seconds, for metrics. */
  onWait?: (seconds: number) => void;
  onWaiting?: (waiting: boolean) => void;
}

/** How full the stream is with messages its sink has not acknowledged (pure). */
export function unconsumedShare(s: {
  bytes: number;
  messages: number;
  firstSeq: number;
  lastSeq: number;
  /** The sink's ack floor (stream sequence); undefined when the sink consumer does not exist: nothing is consumed. */
  ackFloor: number | undefined;
  maxBytes: number;
  maxMsgs: number;
}): number {
  if (s.messages === 0) return 0;
  const floor = s.ackFloor === undefined ? s.firstSeq - 1 : Math.max(s.ackFloor, s.firstSeq - 1);
  const unconsumed = Math.max(0, s.lastSeq - floor);
  const fraction = Math.min(1, unconsumed / s.messages);
  const byBytes = s.maxBytes > 0 ? (s.bytes * fraction) / s.maxBytes : 0;
  const byMsgs = s.maxMsgs > 0 ? unconsumed / s.maxMsgs : 0;
  return Math.max(byBytes, byMsgs);
}

export function createFlowControl(jsm: JetStreamManager, opts: FlowControlOptions): FlowControl {
  const highWater = opts.highWater ?? 0.8;
  const pollMs = opts.pollMs ?? 250;
  let checkedAt = 0;
  let waitedMs = 0;
  let waiting: Promise<void> | undefined;

  const full = async (): Promise<boolean> => {
    const { config, state } = await jsm.streams.info(opts.stream);
    if (!(config.max_bytes > 0) && !(config.max_msgs > 0)) return false;
    let ackFloor: number | undefined;
    try {
      ackFloor = (await jsm.consumers.info(opts.stream, opts.consumer)).ack_floor.stream_seq;
    } catch (err) {
      if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.ConsumerNotFound)) throw err;
    }
    const share = unconsumedShare({
      bytes: state.bytes, messages: state.messages, firstSeq: state.first_seq, lastSeq: state.last_seq,
      ackFloor, maxBytes: config.max_bytes, maxMsgs: config.max_msgs,
    });
    return share >= highWater;
  };

  const waitForRoom = async (): Promise<void> => {
    const started = Date.now();
    let announced = false;
    try {
      while (await full()) {
        if (!announced) opts.onWaiting?.((announced = true));
        await delay(pollMs);
      }
    } finally {
      checkedAt = Date.now();
      if (announced) {
        const ms = checkedAt - started;
        waitedMs += ms;
        opts.onWait?.(ms / 1000);
        opts.onWaiting?.(false);
      }
      waiting = undefined;
    }
  };

  return {
    ready() {
      if (waiting) return waiting;
      if (Date.now() - checkedAt < pollMs) return undefined;
      waiting = waitForRoom();
      return waiting;
    },
    get waitedMs() {
      return waitedMs;
    },
  };
}
