import { connect, type NatsConnection } from '@nats-io/transport-node';

export interface ConnectNatsOptions {
  name?: string;
  /** Delay between reconnect attempts (default 500 ms). */
  reconnectTimeWaitMs?: number;
  /**
   * Skip the Error the client builds for every request up front (only to
   * give a timeout an async stack trace): capturing a stack per publish is
   * a sixth of the window function's CPU. Errors keep their messages.
   */
  noAsyncTraces?: boolean;
}

/**
 * A connection that never gives up reconnecting: a long-lived function must
 * outlive a NATS restart. While disconnected, publishes time out and the
 * window answers 503; /readyz reports not ready.
 */
export async function connectNats(url: string, opts: ConnectNatsOptions = {}): Promise<NatsConnection> {
  return connect({
    servers: url,
    name: opts.name ?? 'activity-reindex',
    maxReconnectAttempts: -1,
    reconnectTimeWait: opts.reconnectTimeWaitMs ?? 500,
    waitOnFirstConnect: false,
    noAsyncTraces: opts.noAsyncTraces ?? false,
  });
}
