// The whole flow on one machine (DESIGN.md §6): one process owns the
// ClickHouse engine and hosts every component on its own port, talking over
// real HTTP exactly as on a cluster: the Kubernetes API stand-in, the
// controller, the Knative Broker stand-in routing by the knative/ Triggers,
// the window function, the aggregator, a sink doing Vector's job, and the
// status page.
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { ClickHouseClient } from '@clickhouse/client';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { runController, type ControllerDeps, type RunningController } from '../controller/run-controller.js';
import { buildAggregatorDeps } from '../functions/aggregator/build-aggregator-deps.js';
import { startAggregator, type RunningAggregator } from '../functions/aggregator/start-aggregator.js';
import { buildWindowDeps } from '../functions/window/build-window-deps.js';
import { startWindowFunction, type RunningWindowFunction } from '../functions/window/start-window-function.js';
import type { WindowDeps } from '../functions/window/window-deps.js';
import { createProgressReporter } from '../functions/window/progress-reporter.js';
import type { SourceTables } from '../shared/clickhouse/source-tables.js';
import type { Logger } from '../shared/log.js';
import { connectNats } from '../shared/nats/connect-nats.js';
import { ensureStream } from '../shared/nats/ensure-stream.js';
import { DEFAULT_STREAM } from '../shared/nats/stream-config.js';
import { DEFAULT_SUBJECT_PREFIX } from '../shared/nats/activity-subject.js';
import { kubeJobSource } from '../status-page/kube-job-source.js';
import { startStatusPage, type RunningStatusPage } from '../status-page/start-status-page.js';
import { LOCAL_SINK_CONSUMER, startActivitySink, type ActivitySink } from './activity-sink.js';
import { startLocalBroker, type LocalBroker } from './broker/local-broker.js';
import { loadKnativeEventing } from './broker/load-knative-config.js';
import { createClickHouseActivityPublisher } from './clickhouse-activity-publisher.js';
import { startKubeApiServer, type KubeApiServer } from './kube-api-server.js';
import { loadProjectCrds } from './kube-api-server/load-project-crds.js';
import { discoveryCrds } from './discovery-crds.js';
import { knativeDeliveries } from './knative-deliveries.js';
import { resultDeadlineMs } from '../controller/result-deadline.js';
import type { DiscoveryTable } from '../shared/api/activity-policy.js';
import { natsServerAvailable, startNatsServer, type NatsServerHandle } from './nats-server.js';

/** Where the manifests put everything; the local stack mirrors it. */
export const LOCAL_NAMESPACE = 'activity-system';
const BROKER_NAME = 'activity-reindex';
const KNATIVE_DIR = fileURLToPath(new URL('../knative', import.meta.url));

export interface LocalStackOptions {
  clickhouse: ClickHouseClient;
  tables: SourceTables;
  log: Logger;
  /**
   * An existing NATS server; without it a nats-server child is started when
   * installed. On an existing server nothing is created or edited (the
   * stream must exist; the sink reads through an ephemeral consumer) unless
   * `setup` is set.
   */
  natsUrl?: string;
  /** Create the stream (and a durable sink consumer) on the given NATS when missing: `reindex run --setup`. */
  setup?: boolean;
  maxConcurrentJobs?: number;
  /** Multiplies the Broker's retry backoff (the manifests say seconds; tests want milliseconds), and the result deadline. */
  retryDelayScale?: number;
  /** Overrides the result deadline derived from the manifests (controller/result-deadline.ts). */
  resultDeadlineMs?: number;
  /**
   * At most one status write per job per this many ms (default 100). A
   * cluster's windows take minutes, so the aggregator's 1 s costs them
   * nothing; local windows take milliseconds, and the job would wait on it.
   */
  statusWriteIntervalMs?: number;
  statusPage?: boolean;
  /** Windows hold at most batchSize × this many events (the controller's default 10). */
  windowBatches?: number;
  /** Plans a job's windows instead of the controller's own planning (runController's seam): a test's many small windows. */
  planWindows?: ControllerDeps['planWindows'];
  /** How often a running window reports its counts (default 5 s). */
  progressIntervalMs?: number;
  /** Extra `group/plural → Kind` entries, served as CRDs so discovery reports them. */
  discovery?: DiscoveryTable;
  /** How far back a job may start (the controller's default: 60 days). */
  retentionDays?: number;
  /**
   * Where the Broker delivers to a subscriber, and where the controller
   * posts window events (default: the URL itself). The fault tests put a
   * proxy in between that duplicates, refuses or holds deliveries, as a
   * flaky network or a crashed pod would.
   */
  route?: (to: 'reindex-window' | 'reindex-aggregator' | 'broker-ingress', url: string) => string;
  /** Deliveries the Broker stand-in runs at once, across all Triggers (default 32): a 256-way job's windows and results need more. */
  brokerConcurrency?: number;
  /** The window function's evaluation worker threads (default: one per spare core; 0: in-thread). */
  evaluateWorkers?: number;
  /** The key window events are signed with; default a random one for this run. */
  signingKey?: string;
}

export type ActivityDestination = { kind: 'nats'; url: string; started: boolean } | { kind: 'clickhouse' };

export interface LocalStack {
  kube: KubeApiServer;
  kubeConfig: KubeConfig;
  broker: LocalBroker;
  aggregator: RunningAggregator;
  controller: RunningController;
  statusPage?: RunningStatusPage;
  /** Where the window function's activities go. */
  destination: ActivityDestination;
  nc?: NatsConnection;
  sink?: ActivitySink;
  /** The window function's URL (stable across stop/start). */
  readonly windowFunctionUrl: string;
  /** Closes the window function's port, as a crashed pod would. */
  stopWindowFunction(): Promise<void>;
  /** Opens it again on the same port. */
  startWindowFunction(): Promise<void>;
  /**
   * Stops the controller and starts another with the same settings, as a
   * restarted pod; `changes` alter the new one's dependencies (a fault test
   * gives it a kubeConfig that fails at a chosen request).
   */
  restartController(changes?: Partial<ControllerDeps>): Promise<void>;
  /** Waits until everything published so far is in audit.activities (at most `timeoutMs`, default 60 s). */
  drainActivities(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startLocalStack(opts: LocalStackOptions): Promise<LocalStack> {
  const { clickhouse, tables, log } = opts;
  // One machine, one run: a fresh key nobody else holds, as the Secret is on a cluster.
  const signingKey = opts.signingKey ?? randomBytes(32).toString('base64url');
  const closers: Array<() => Promise<unknown>> = [];
  const close = async () => {
    for (const fn of closers.reverse()) await fn().catch((err) => log.warn({ err }, 'Failed to stop a local component'));
  };
  try {
    let nats: NatsServerHandle | undefined;
    let natsUrl = opts.natsUrl;
    if (!natsUrl && natsServerAvailable()) {
      nats = await startNatsServer();
      closers.push(() => nats!.destroy());
      natsUrl = nats.url;
    }
    let nc: NatsConnection | undefined;
    let sink: ActivitySink | undefined;
    let windowDeps: WindowDeps;
    if (natsUrl) {
      const url = natsUrl;
      // The client's own message ("connection refused") does not say which server.
      // noAsyncTraces as the window function's main: a stack captured per publish costs more than the publish.
      nc = await connectNats(url, { name: 'reindex-local', noAsyncTraces: true }).catch((err: Error) => {
        throw new Error(`NATS at ${url}: ${err.message}`, { cause: err });
      });
      closers.push(() => nc!.close());
      // A nats-server of our own is ours to set up; someone else's only when asked.
      const ours = nats !== undefined || opts.setup === true;
      if (ours) await ensureStream(await jetstreamManager(nc));
      // Flow control waits for whichever consumer moves the stream into ClickHouse: ours, or Vector's on someone else's NATS.
      windowDeps = await buildWindowDeps({ clickhouse, nc, tables, log, signingKey, evaluateWorkers: opts.evaluateWorkers, sinkConsumer: ours ? LOCAL_SINK_CONSUMER : undefined }).catch((err: Error) => {
        throw ours ? err : new Error(`NATS at ${url}: ${err.message}, or run with --setup`, { cause: err });
      });
      sink = await startActivitySink({ nc, clickhouse, tables, stream: DEFAULT_STREAM, subjects: `${DEFAULT_SUBJECT_PREFIX}.>`, log, ephemeral: !ours });
      closers.push(() => sink!.stop());
    } else {
      windowDeps = await buildWindowDeps({ clickhouse, tables, log, signingKey, evaluateWorkers: opts.evaluateWorkers, createPublisher: () => createClickHouseActivityPublisher(clickhouse, tables) });
    }

    const { evaluatePool } = windowDeps;
    closers.push(() => evaluatePool.close());
    let windowFunction: RunningWindowFunction | undefined = await startWindowFunction(windowDeps);
    const windowPort = windowFunction.port;
    const windowFunctionUrl = windowFunction.url;
    closers.push(async () => windowFunction?.close(1000));

    const kube = await startKubeApiServer({ crds: [...(await loadProjectCrds()), ...discoveryCrds(opts.discovery ?? {})], namespaces: [LOCAL_NAMESPACE] });
    closers.push(() => kube.close());
    const kubeConfig = kube.kubeConfig();

    const aggregator = await startAggregator(buildAggregatorDeps({ kubeConfig, log, signingKey, eventsNamespace: 'default', statusWriteIntervalMs: opts.statusWriteIntervalMs ?? 100 }));
    closers.push(() => aggregator.close());

    const scale = opts.retryDelayScale ?? 1;
    const broker = await startLocalBroker({
      ...(await loadKnativeEventing(KNATIVE_DIR)),
      subscriberUrls: {
        'reindex-window': opts.route?.('reindex-window', windowFunctionUrl) ?? windowFunctionUrl,
        'reindex-aggregator': opts.route?.('reindex-aggregator', aggregator.url) ?? aggregator.url,
      },
      log,
      concurrency: opts.brokerConcurrency,
      sleep: (ms, signal) => delay(ms * scale, undefined, { signal }),
    });
    closers.push(() => broker.close());
    // Only now does the Broker listen: running windows report progress to it.
    windowDeps.reportProgress = createProgressReporter({ brokerUrl: broker.ingressUrl(LOCAL_NAMESPACE, BROKER_NAME), signingKey: windowDeps.signingKey, log });
    windowDeps.progressIntervalMs = opts.progressIntervalMs;

    const deliveries = await knativeDeliveries(KNATIVE_DIR);
    const ingressUrl = broker.ingressUrl(LOCAL_NAMESPACE, BROKER_NAME);
    const controllerDeps: ControllerDeps = {
      // The same deadline a cluster gets from the same manifests, scaled like the Broker's retries.
      resultDeadlineMs: opts.resultDeadlineMs ?? resultDeadlineMs(deliveries.window, deliveries.result, scale),
      kubeConfig,
      clickhouse,
      tables,
      brokerUrl: opts.route?.('broker-ingress', ingressUrl) ?? ingressUrl,
      signingKey,
      namespace: LOCAL_NAMESPACE,
      log,
      maxConcurrentJobs: opts.maxConcurrentJobs ?? 1,
      retentionDays: opts.retentionDays,
      windowBatches: opts.windowBatches,
      planWindows: opts.planWindows,
    };
    let controller = await runController(controllerDeps);
    closers.push(() => controller.stop());

    let statusPage: RunningStatusPage | undefined;
    if (opts.statusPage !== false) {
      statusPage = await startStatusPage(kubeJobSource(kubeConfig, { namespace: LOCAL_NAMESPACE, eventsNamespace: 'default' }));
      closers.push(() => statusPage!.close());
    }

    return {
      kube,
      kubeConfig,
      broker,
      aggregator,
      get controller() {
        return controller;
      },
      statusPage,
      destination: natsUrl ? { kind: 'nats', url: natsUrl, started: nats !== undefined } : { kind: 'clickhouse' },
      nc,
      sink,
      windowFunctionUrl,
      async stopWindowFunction() {
        await windowFunction?.close(0);
        windowFunction = undefined;
      },
      async startWindowFunction() {
        windowFunction ??= await startWindowFunction(windowDeps, windowPort);
      },
      async restartController(changes) {
        await controller.stop();
        controller = await runController({ ...controllerDeps, ...changes });
      },
      async drainActivities(timeoutMs) {
        await sink?.drain(timeoutMs);
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
