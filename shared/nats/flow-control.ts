import { setTimeout as delay } from 'node:timers/promises';
import pRetry from 'p-retry';
import { JetStreamApiCodes, JetStreamApiError, type JetStreamManager } from '@nats-io/jetstream';
import { isTransientNatsError } from './transient-error.js';

/**
 * Flow control for a `discard: old` stream (DESIGN.md §4.3): a full stream
 * silently drops its oldest messages, consumed or not. Before publishing,
 * the window asks `ready()`; while the bytes the sink consumer has not yet
 * acknowledged fill more than `highWater` of the stream's max bytes (or
 * messages of its max messages), it waits for the sink instead, so no
 * unconsumed activity is ever discarded.
 *
 * The stream is watched once per process (`watchStreamRoom`), not once per
 * window: every window of an instance publishes to the same stream, and 256
 * windows each asking twice every 250 ms would be ~2,000 JetStream API
 * calls a second for one answer. Each window keeps its own `FlowControl`,
 * so its wait is its own (window.completed's `flowControlWaitMs`).
 */
export interface FlowControl {
  /** Undefined when publishing may go on (checked at most every `pollMs`); else a promise that resolves once there is room. */
  ready(): Promise<void> | undefined;
  /** Milliseconds this window spent waiting so far. */
  readonly waitedMs: number;
}

/** The stream's room, shared by every window of a process. */
export interface StreamRoom {
  /**
   * Undefined while the last check is younger than `pollMs`; else the
   * current check (one at a time, shared), resolving once there is room.
   * `whenFull` is called once if this check finds the stream full.
   */
  ready(whenFull?: () => void): Promise<void> | undefined;
}

export interface StreamRoomOptions {
  stream: string;
  /** The durable consumer that moves activities into ClickHouse (Vector's `clickhouse-ingest-reindex` in production). */
  consumer: string;
  /** Share of the stream's limit the unconsumed messages may fill (default 0.8): the rest absorbs what is in flight. */
  highWater?: number;
  pollMs?: number;
  /** Retries of a failed check of the stream before every waiting window fails (default 3). */
  checkRetries?: number;
}

export interface FlowControlOptions {
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

export function watchStreamRoom(jsm: JetStreamManager, opts: StreamRoomOptions): StreamRoom {
  const highWater = opts.highWater ?? 0.8;
  const pollMs = opts.pollMs ?? 250;
  let checkedAt = 0;
  let check: Promise<void> | undefined;
  let full = false;
  const whenFull = new Set<() => void>();

  // One failed check would fail every window of the instance at once (503,
  // redelivered): a blip (a timeout, a leader moving) is asked again first.
  const isFull = (): Promise<boolean> =>
    pRetry(checkOnce, { retries: opts.checkRetries ?? 3, minTimeout: 100, maxTimeout: 1_000, shouldRetry: ({ error }) => isTransientNatsError(error) });

  const checkOnce = async (): Promise<boolean> => {
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

  const untilRoom = async (): Promise<void> => {
    try {
      while (await isFull()) {
        if (!full) {
          full = true;
          for (const call of whenFull) {
            try {
              call();
            } catch {
              // A window's metrics callback must not fail every window's check.
            }
          }
        }
        await delay(pollMs);
      }
    } finally {
      full = false;
      whenFull.clear();
      checkedAt = Date.now();
      check = undefined;
    }
  };

  return {
    ready(onFull) {
      if (!check) {
        if (Date.now() - checkedAt < pollMs) return undefined;
        check = untilRoom();
      }
      if (onFull) {
        if (full) onFull();
        else whenFull.add(onFull);
      }
      return check;
    },
  };
}

/** One window's view of the shared room: the same waits, timed and reported as this window's. */
export function createFlowControl(room: StreamRoom, opts: FlowControlOptions = {}): FlowControl {
  let waitedMs = 0;
  let waiting: Promise<void> | undefined;
  return {
    ready() {
      if (waiting) return waiting;
      let since: number | undefined;
      const check = room.ready(() => {
        since = Date.now();
        opts.onWaiting?.(true);
      });
      if (!check) return undefined;
      waiting = check.finally(() => {
        waiting = undefined;
        if (since === undefined) return;
        const ms = Date.now() - since;
        waitedMs += ms;
        opts.onWait?.(ms / 1000);
        opts.onWaiting?.(false);
      });
      return waiting;
    },
    get waitedMs() {
      return waitedMs;
    },
  };
}
