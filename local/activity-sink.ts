import pRetry from 'p-retry';
import { setTimeout as delay } from 'node:timers/promises';
import type { ClickHouseClient } from '@clickhouse/client';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import type { SourceTables } from '../shared/clickhouse/source-tables.js';
import { insertActivityJson } from '../shared/clickhouse/insert-activities.js';
import type { Logger } from '../shared/log.js';
import { parseActivityMessage } from './parse-activity-message.js';

/** The local sink's durable consumer: what flow control waits for in the local stack. */
export const LOCAL_SINK_CONSUMER = 'reindex-local-sink';

export interface ActivitySinkOptions {
  nc: NatsConnection;
  clickhouse: ClickHouseClient;
  tables: SourceTables;
  stream: string;
  subjects: string;
  /** Durable consumer name: a restarted sink carries on where it stopped. */
  consumer?: string;
  /**
   * An ephemeral consumer from the stream's end instead, deleted on stop: a
   * run against a NATS someone else set up leaves its consumers as they were.
   */
  ephemeral?: boolean;
  batchSize?: number;
  log: Logger;
}

export interface ActivitySink {
  /** Resolves once every message published so far is in ClickHouse and acked. */
  drain(timeoutMs?: number): Promise<void>;
  readonly inserted: number;
  /** Messages that are not an activity (not a JSON object): logged and acknowledged with their batch, never inserted. */
  readonly rejected: number;
  stop(): Promise<void>;
}

/**
 * Does Vector's job locally: a durable pull consumer on the reindex stream,
 * inserting each batch into `audit.activities` and acknowledging it only
 * after the insert, so a crash re-delivers rather than loses
 * (ReplacingMergeTree makes the re-insert harmless).
 *
 * One acknowledgement a batch (AckPolicy.All: acking a message acks every
 * earlier one), not one a message: the sink shares two cores with the
 * function and nats-server, and 670,000 acks are CPU both pay for. That is
 * only safe because batches are acknowledged in order and a failed insert is
 * retried in place until it lands: no later ack can cover a batch that is
 * not in ClickHouse.
 */
export async function startActivitySink(opts: ActivitySinkOptions): Promise<ActivitySink> {
  const consumerName = opts.consumer ?? LOCAL_SINK_CONSUMER;
  // Each insert is a part for ClickHouse to write and merge, and every row's
  // materialized columns parse its JSON again: 5,000 rows an insert sank
  // ~1.9x the rows/s of 1,000 here (50,000 activities into chDB; 20,000 was
  // far slower: a pull that large stalls).
  const batchSize = opts.batchSize ?? 5000;
  const jsm = await jetstreamManager(opts.nc);
  const added = await jsm.consumers.add(opts.stream, {
    ...(opts.ephemeral ? { inactive_threshold: nanos(60_000) } : { durable_name: consumerName }),
    ack_policy: AckPolicy.All,
    deliver_policy: opts.ephemeral ? DeliverPolicy.New : DeliverPolicy.All,
    filter_subject: opts.subjects,
    max_ack_pending: batchSize * 4,
  });
  const consumer = await jetstream(opts.nc).consumers.get(opts.stream, added.name);

  let inserted = 0;
  let rejected = 0;
  let stopped = false;
  // Ends an insert's retries at stop: the batch stays unacknowledged and is redelivered to the next sink.
  const stopping = new AbortController();
  let lastError: Error | undefined;

  // Each message is parsed on its own: one that is not an activity can never
  // be inserted (redelivery cannot mend it), so it is counted, logged and
  // acknowledged with its batch, and the rest of the batch goes in.
  async function insertBatch(batch: JsMsg[]): Promise<void> {
    const rows: Uint8Array[] = [];
    let bad = 0;
    for (const m of batch) {
      const parsed = parseActivityMessage(m.data);
      if (parsed.ok) {
        // The message is the activity's JSON: inserted as it came (no second
        // encoding), unless it holds a tab or newline (JSON that is not
        // compact), which a TabSeparatedRaw row cannot.
        rows.push(m.data.includes(9) || m.data.includes(10) ? Buffer.from(JSON.stringify(parsed.activity)) : m.data);
        continue;
      }
      opts.log.warn({ subject: m.subject, seq: m.seq, reason: parsed.reason }, 'Rejected activity message that cannot be inserted');
      bad++;
    }
    if (rows.length > 0) {
      await pRetry(() => insertActivityJson(opts.clickhouse, opts.tables, rows), {
        retries: Number.POSITIVE_INFINITY,
        minTimeout: 500,
        maxTimeout: 5000,
        signal: stopping.signal,
        onFailedAttempt: ({ error }) => {
          lastError = error;
          opts.log.warn({ err: error, messages: batch.length }, 'Failed to insert a batch of activities; retrying');
        },
      });
    }
    batch[batch.length - 1]!.ack();
    inserted += rows.length;
    rejected += bad;
    lastError = undefined;
  }

  // A failed fetch is retried, never fatal: unacknowledged messages are
  // redelivered, so nothing is lost while NATS is away. The next batch is
  // fetched while the last one is inserted.
  let inserting: Promise<void> = Promise.resolve();
  const loop = (async () => {
    while (!stopped) {
      try {
        const batch: JsMsg[] = [];
        try {
          const messages = await consumer.fetch({ max_messages: batchSize, expires: 1000 });
          for await (const m of messages) batch.push(m);
        } catch (err) {
          // A pull that fails part way (heartbeats missed while this process's
          // event loop was busy) still delivered what it got: those go in now
          // rather than wait out the consumer's ack wait (30 s) unacked.
          if (batch.length === 0) throw err;
          opts.log.debug({ err, messages: batch.length }, 'Activity fetch ended early; inserting what it delivered');
        }
        // In order: a batch is acknowledged only after every earlier one.
        await inserting;
        if (batch.length > 0) inserting = insertBatch(batch);
      } catch (err) {
        if (stopped) break;
        lastError = err as Error;
        opts.log.warn({ err }, 'Failed to fetch activities; retrying');
        await delay(500);
      }
    }
    await inserting.catch(() => undefined);
  })();

  return {
    get inserted() {
      return inserted;
    },
    get rejected() {
      return rejected;
    },
    async drain(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const info = await consumer.info(false);
        if (info.num_pending === 0 && info.num_ack_pending === 0) return;
        if (Date.now() > deadline) {
          const cause = lastError ? `: ${lastError.message}` : '';
          throw new Error(`Activity sink did not drain within ${timeoutMs} ms (${info.num_pending} pending)${cause}`);
        }
        await delay(100);
      }
    },
    async stop() {
      stopped = true;
      stopping.abort();
      await loop;
      if (opts.ephemeral) await jsm.consumers.delete(opts.stream, added.name).catch(() => undefined);
    },
  };
}
