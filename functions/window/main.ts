import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { createClickHouseClient } from '../../shared/clickhouse/create-clickhouse-client.js';
import { sourceTablesFromEnv } from '../../shared/clickhouse/source-tables.js';
import { createLogger } from '../../shared/log.js';
import { connectNats } from '../../shared/nats/connect-nats.js';
import { DEFAULT_SUBJECT_PREFIX } from '../../shared/nats/activity-subject.js';
import { DEFAULT_SINK_CONSUMER, DEFAULT_STREAM } from '../../shared/nats/stream-config.js';
import { DEFAULT_METRICS_PORT, serveMetrics } from '../../shared/metrics/serve-metrics.js';
import { DEFAULT_MAX_BODY_BYTES } from '../../shared/http/body-limit.js';
import { SigningKey } from '../../shared/signing/event-signature.js';
import { buildWindowDeps } from './build-window-deps.js';
import { startWindowFunction } from './start-window-function.js';

// Parsed at boot, so a bad manifest fails the revision rather than the first event.
const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  // Knative's queue-proxy reaches the container on localhost.
  HOST: z.string().default('127.0.0.1'),
  // Prometheus scrapes /metrics here, on every interface (0 = any free port).
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(DEFAULT_METRICS_PORT),
  CLICKHOUSE_URL: z.url().optional(),
  CLICKHOUSE_USER: z.string().optional(),
  CLICKHOUSE_PASSWORD: z.string().optional(),
  CLICKHOUSE_DATABASE: z.string().optional(),
  REINDEX_DATA_DIR: z.string().default('./.reindex'),
  NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
  REINDEX_STREAM: z.string().min(1).default(DEFAULT_STREAM),
  // The consumer moving the stream into ClickHouse: publishing waits for it near the stream's limits.
  REINDEX_SINK_CONSUMER: z.string().min(1).default(DEFAULT_SINK_CONSUMER),
  REINDEX_SUBJECT_PREFIX: z.string().min(1).default(DEFAULT_SUBJECT_PREFIX),
  MAX_BODY_BYTES: z.coerce.number().int().positive().default(DEFAULT_MAX_BODY_BYTES),
  REINDEX_SIGNING_KEY: SigningKey,
  MAX_IN_FLIGHT: z.coerce.number().int().positive().default(256),
  PUBLISH_RETRIES: z.coerce.number().int().min(0).default(5),
  PUBLISH_ACK_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
  // Knative gives a terminating pod its timeoutSeconds; stay below it.
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(30_000),
  // Where running windows report progress (window.progress); unset: they report only their result.
  BROKER_URL: z.url().optional(),
  PROGRESS_INTERVAL_MS: z.coerce.number().int().min(100).default(5_000),
  // Worker threads evaluating pages; unset: one per spare core (1–2), 0: in-thread.
  EVALUATE_WORKERS: z.coerce.number().int().min(0).optional(),
});

/** Starts the window function from environment variables, as its container does. */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const config = Env.parse(env);
  const log = createLogger('window-function');
  const clickhouse = createClickHouseClient({
    url: config.CLICKHOUSE_URL,
    user: config.CLICKHOUSE_USER,
    password: config.CLICKHOUSE_PASSWORD,
    database: config.CLICKHOUSE_DATABASE,
    dataDir: config.REINDEX_DATA_DIR,
  });
  const nc = await connectNats(config.NATS_URL, { name: 'reindex-window-function', noAsyncTraces: true });
  const deps = await buildWindowDeps({
    clickhouse,
    nc,
    tables: sourceTablesFromEnv(env),
    stream: config.REINDEX_STREAM,
    sinkConsumer: config.REINDEX_SINK_CONSUMER,
    subjectPrefix: config.REINDEX_SUBJECT_PREFIX,
    maxInFlight: config.MAX_IN_FLIGHT,
    publishRetries: config.PUBLISH_RETRIES,
    ackTimeoutMs: config.PUBLISH_ACK_TIMEOUT_MS,
    maxBodyBytes: config.MAX_BODY_BYTES,
    signingKey: config.REINDEX_SIGNING_KEY,
    evaluateWorkers: config.EVALUATE_WORKERS,
    brokerUrl: config.BROKER_URL,
    progressIntervalMs: config.PROGRESS_INTERVAL_MS,
    log,
  });
  const metricsServer = await serveMetrics(deps.registry, config.METRICS_PORT);
  const server = await startWindowFunction(deps, config.PORT, config.HOST);
  log.info({ url: server.url, metricsUrl: metricsServer.url, stream: config.REINDEX_STREAM }, 'Started window function');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, graceMs: config.SHUTDOWN_GRACE_MS }, 'Stopping window function');
    // Stop accepting first; the windows in progress finish (or are cut at the
    // grace period and redelivered), then their publishes are drained.
    await server.close(config.SHUTDOWN_GRACE_MS);
    await nc.drain().catch(() => undefined);
    await clickhouse.close();
    await deps.evaluatePool.close();
    await metricsServer.close();
    log.info('Stopped window function');
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    process.stderr.write(`window function failed to start: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
