// Entry point of the controller Deployment (knative/controller-deployment.yaml).
// Flags win over the environment. Only the replica holding the Lease runs
// the controller; /healthz and /metrics answer on every replica.
import { pathToFileURL } from 'node:url';
import { serve } from '@hono/node-server';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { Command } from 'commander';
import { Hono } from 'hono';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { createJobMetrics, createJobObserver } from '../shared/metrics/job-metrics.js';
import { z } from 'zod';
import { clickHouseOptionsFromEnv, createClickHouseClient } from '../shared/clickhouse/create-clickhouse-client.js';
import { sourceTablesFromEnv } from '../shared/clickhouse/source-tables.js';
import { loadKubeConfig } from '../shared/kube/kube-config.js';
import { createLogger } from '../shared/log.js';
import { SigningKey } from '../shared/signing/event-signature.js';
import { startLeaderElection } from './leader-election.js';
import { DeliveryJson, resultDeadlineMs } from './result-deadline.js';
import { DEFAULT_WINDOW_BUDGET_SECONDS, runController, type RunningController } from './run-controller.js';
import { metricsHandler } from '../shared/metrics/serve-metrics.js';

// Parsed at boot, so a bad manifest fails the rollout rather than the first job.
const Env = z.object({
  PORT: z.coerce.number().int().default(9090),
  BROKER_URL: z.url(),
  // From the activity-reindex Secret: the window function refuses windows not signed with it.
  REINDEX_SIGNING_KEY: SigningKey,
  POD_NAME: z.string().default(`reindex-controller-${process.pid}`),
  POD_NAMESPACE: z.string().default('activity-system'),
  KUBE_API_URL: z.url().optional(),
  MAX_CONCURRENT_JOBS: z.coerce.number().int().min(1).default(1),
  RETENTION_DAYS: z.coerce.number().positive().default(60),
  WINDOW_BATCHES: z.coerce.number().int().min(1).default(10),
  // Seconds a window may take at its rate share; below the window function's 600 s timeout.
  WINDOW_BUDGET_SECONDS: z.coerce.number().positive().max(600).default(DEFAULT_WINDOW_BUDGET_SECONDS),
  // The delivery of window requests and of their results, as the Triggers and Services set it:
  // together they give the deadline after which a window without a result is emitted again.
  WINDOW_DELIVERY: DeliveryJson,
  RESULT_DELIVERY: DeliveryJson,
});

/** Starts the controller from flags and environment variables, as its container does. */
export async function main(argv: readonly string[] = process.argv, processEnv: NodeJS.ProcessEnv = process.env): Promise<void> {
  const env = Env.parse(processEnv);
  const options = new Command('reindex-controller')
    .option('--max-concurrent-jobs <n>', 'ReindexJobs running at once', (v) => z.coerce.number().int().min(1).parse(v), env.MAX_CONCURRENT_JOBS)
    .option('--retention-days <n>', 'how far back a job may start', (v) => z.coerce.number().positive().parse(v), env.RETENTION_DAYS)
    .option('--no-leader-elect', 'run without the Lease (a single replica only)')
    .parse([...argv])
    .opts<{ maxConcurrentJobs: number; retentionDays: number; leaderElect: boolean }>();

  const log = createLogger('reindex-controller');
  const kubeConfig = loadKubeConfig({ url: env.KUBE_API_URL });
  const clickhouse = createClickHouseClient(clickHouseOptionsFromEnv());
  const register = new Registry();
  collectDefaultMetrics({ register });
  const jobMetrics = createJobMetrics(register);
  const observeJobs = createJobObserver(jobMetrics);
  const leader = new Gauge({ name: 'activity_reindex_controller_leader', help: '1 while this replica holds the controller Lease', registers: [register] });

  let controller: RunningController | undefined;
  const startController = async () => {
    controller = await runController({
      kubeConfig,
      clickhouse,
      tables: sourceTablesFromEnv(processEnv),
      brokerUrl: env.BROKER_URL,
      signingKey: env.REINDEX_SIGNING_KEY,
      namespace: env.POD_NAMESPACE,
      log,
      maxConcurrentJobs: options.maxConcurrentJobs,
      retentionDays: options.retentionDays,
      windowBatches: env.WINDOW_BATCHES,
      windowBudgetSeconds: env.WINDOW_BUDGET_SECONDS,
      resultDeadlineMs: resultDeadlineMs(env.WINDOW_DELIVERY, env.RESULT_DELIVERY),
      onJobsChanged: observeJobs,
    });
    leader.set(1);
  };

  const election = options.leaderElect
    ? startLeaderElection({
        api: kubeConfig.makeApiClient(CoordinationV1Api),
        namespace: env.POD_NAMESPACE,
        leaseName: 'reindex-controller',
        identity: env.POD_NAME,
        log,
        onStartedLeading: startController,
        // Another replica may lead already: stop at once and let the Deployment restart us as a candidate.
        onStoppedLeading: async () => {
          leader.set(0);
          await controller?.stop();
          process.exit(1);
        },
      })
    : (await startController(), undefined);

  const app = new Hono();
  app.get('/healthz', (c) => c.text('ok'));
  app.get('/metrics', metricsHandler(register));
  const server = serve({ fetch: app.fetch, port: env.PORT });
  log.info({ port: env.PORT, identity: env.POD_NAME }, 'Started controller health and metrics server');

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, async () => {
      await controller?.stop();
      await election?.stop();
      server.close();
      await clickhouse.close();
      process.exit(0);
    });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    process.stderr.write(`controller failed to start: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
