import type { ClickHouseClient } from '@clickhouse/client';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Registry } from 'prom-client';
import { readSourceTimes } from '../../shared/clickhouse/read-source-times.js';
import { readStoredActivities } from '../../shared/clickhouse/read-stored-activities.js';
import { readStoredSummaries } from '../../shared/clickhouse/read-stored-summaries.js';
import { readWindowRawPages, type PageBounds } from '../../shared/clickhouse/read-window.js';
import { DEFAULT_TABLES, type SourceTables } from '../../shared/clickhouse/source-tables.js';
import { silentLogger, type Logger } from '../../shared/log.js';
import { createWindowMetrics } from '../../shared/metrics/window-metrics.js';
import { createActivityPublisher, type ActivityPublisher } from '../../shared/nats/activity-publisher.js';
import { assertStreamExists } from '../../shared/nats/ensure-stream.js';
import { DEFAULT_SINK_CONSUMER, DEFAULT_STREAM } from '../../shared/nats/stream-config.js';
import { createFlowControl, watchStreamRoom } from '../../shared/nats/flow-control.js';
import { createDryRunComparison } from './dry-run-comparison.js';
import { createEvaluatePool, defaultEvaluateWorkers } from './evaluate-pool.js';
import { createProgressReporter } from './progress-reporter.js';
import type { WindowDeps } from './window-deps.js';

export interface WindowRuntimeOptions {
  clickhouse: ClickHouseClient;
  /** Absent only with `createPublisher`: the local stack without a nats-server. */
  nc?: NatsConnection;
  /** Where activities go instead of JetStream. */
  createPublisher?: () => ActivityPublisher;
  tables?: SourceTables;
  /** How large the reader's pages may grow (default DEFAULT_PAGE_BOUNDS); independent of batchSize. */
  pageBounds?: PageBounds;
  stream?: string;
  /** The durable consumer that moves the stream into ClickHouse, which flow control waits for (default Vector's, clickhouse-ingest-reindex). */
  sinkConsumer?: string;
  subjectPrefix?: string;
  maxInFlight?: number;
  publishRetries?: number;
  ackTimeoutMs?: number;
  maxBodyBytes?: number;
  /** REINDEX_SIGNING_KEY of the activity-reindex Secret. */
  signingKey: string;
  registry?: Registry;
  log?: Logger;
  /** Readiness probes give up after this long (default 2 s). */
  probeTimeoutMs?: number;
  /**
   * Worker threads that parse, evaluate and encode pages off the main thread
   * (default: one per spare core, 1–2); 0 evaluates in-thread.
   */
  evaluateWorkers?: number;
  /** The Broker's ingress: with it, running windows report progress there (window.progress). */
  brokerUrl?: string;
  /** How often a running window reports (default 5 s). */
  progressIntervalMs?: number;
}

/**
 * Wires the window function to real ClickHouse and NATS clients: what
 * `main.ts`, the local stack and the integration tests share. Fails at once,
 * naming the stream, when the stream does not exist.
 */
export async function buildWindowDeps(opts: WindowRuntimeOptions): Promise<WindowDeps> {
  const stream = opts.stream ?? DEFAULT_STREAM;
  const tables = opts.tables ?? DEFAULT_TABLES;
  if (!opts.nc && !opts.createPublisher) throw new Error('buildWindowDeps needs a NATS connection or a createPublisher');
  const jsm = opts.nc ? await jetstreamManager(opts.nc) : undefined;
  const streamInfo = jsm ? await assertStreamExists(jsm, stream) : undefined;
  const js = opts.nc ? jetstream(opts.nc) : undefined;
  const registry = opts.registry ?? new Registry();
  const metrics = createWindowMetrics(registry);
  const probeTimeoutMs = opts.probeTimeoutMs ?? 2_000;
  const probe = async (check: () => Promise<unknown>): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((ok) => (timer = setTimeout(() => ok(false), probeTimeoutMs)));
    try {
      return await Promise.race([check().then(() => true), timeout]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  };
  const evaluateWorkers = opts.evaluateWorkers ?? defaultEvaluateWorkers();
  // One watch of the stream's room for all of this instance's windows.
  const room = jsm ? watchStreamRoom(jsm, { stream, consumer: opts.sinkConsumer ?? DEFAULT_SINK_CONSUMER }) : undefined;
  return {
    readWindow: (window) =>
      readWindowRawPages(opts.clickhouse, tables, { source: window.source, from: window.from, to: window.to }, opts.pageBounds),
    evaluatePool: createEvaluatePool(evaluateWorkers),
    compareDryRun: (request) =>
      createDryRunComparison(request.window, {
        readStored: (q) => readStoredActivities(opts.clickhouse, tables, q),
        readStoredSummaries: (q) => readStoredSummaries(opts.clickhouse, tables, q),
        readSourceTimes: (q) => readSourceTimes(opts.clickhouse, tables, q),
      }),
    maxMessageBytes: opts.createPublisher ? undefined : maxMessageBytes(streamInfo?.config.max_msg_size, opts.nc?.info?.max_payload),
    createPublisher:
      opts.createPublisher ??
      (() =>
      createActivityPublisher(js!, {
        subjectPrefix: opts.subjectPrefix,
        maxInFlight: opts.maxInFlight,
        retries: opts.publishRetries,
        ackTimeoutMs: opts.ackTimeoutMs,
        onAck: (duplicate) => metrics.publishAcks.inc({ result: duplicate ? 'duplicate' : 'stored' }),
        // One per window over the shared room, so its wait is the window's.
        flowControl: createFlowControl(room!, {
          onWait: (seconds) => metrics.flowControlWait.inc(seconds),
          onWaiting: (waiting) => metrics.flowControlWaiting.inc(waiting ? 1 : -1),
        }),
      })),
    ready: async () => {
      const [nats, clickhouse] = await Promise.all([
        jsm ? probe(() => jsm.streams.info(stream)) : Promise.resolve(true),
        probe(async () => {
          const r = await opts.clickhouse.ping();
          if (!r.success) throw new Error('ping failed');
        }),
      ]);
      return { nats, clickhouse };
    },
    ...(opts.brokerUrl ? { reportProgress: createProgressReporter({ brokerUrl: opts.brokerUrl, signingKey: opts.signingKey, log: opts.log ?? silentLogger }) } : {}),
    progressIntervalMs: opts.progressIntervalMs,
    metrics,
    registry,
    log: opts.log ?? silentLogger,
    maxBodyBytes: opts.maxBodyBytes,
    signingKey: opts.signingKey,
  };
}

// Read once at start: a stream's limits change by an operator's hand, and a
// changed one takes effect when the function restarts. -1 or 0: unlimited.
function maxMessageBytes(streamMax: number | undefined, serverMax: number | undefined): number | undefined {
  const limits = [streamMax, serverMax].filter((n): n is number => n !== undefined && n > 0);
  return limits.length > 0 ? Math.min(...limits) : undefined;
}
