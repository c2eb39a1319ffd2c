// The aggregator as a Knative Service: configuration from the environment,
// parsed at boot so a bad manifest fails the revision rather than the first event.
import { z } from 'zod';
import { DEFAULT_MAX_BODY_BYTES } from '../../shared/http/body-limit.js';
import { createLogger } from '../../shared/log.js';
import { DEFAULT_METRICS_PORT, serveMetrics } from '../../shared/metrics/serve-metrics.js';
import { SigningKey } from '../../shared/signing/event-signature.js';
import { loadKubeConfig } from '../../shared/kube/kube-config.js';
import { buildAggregatorDeps } from './build-aggregator-deps.js';
import { startAggregator } from './start-aggregator.js';

const env = z
  .object({
    PORT: z.coerce.number().int().default(8080),
    // Knative's queue-proxy reaches the container on localhost.
    HOST: z.string().default('127.0.0.1'),
    // Prometheus scrapes /metrics here, on every interface (0 = any free port).
    METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(DEFAULT_METRICS_PORT),
    /** The API server URL; unset = in-cluster service account (or KUBECONFIG). */
    KUBE_API_URL: z.url().optional(),
    /** Where Events about the cluster-scoped ReindexJobs go. */
    EVENTS_NAMESPACE: z.string().min(1).default('default'),
    POD_NAME: z.string().min(1).default('reindex-aggregator'),
    /** At most one status write per job per this many ms: results arriving meanwhile fold into it. */
    STATUS_WRITE_INTERVAL_MS: z.coerce.number().int().min(0).default(2000),
    /** From the activity-reindex Secret: results and dead letters must be signed with it. */
    REINDEX_SIGNING_KEY: SigningKey,
    MAX_BODY_BYTES: z.coerce.number().int().positive().default(DEFAULT_MAX_BODY_BYTES),
  })
  .parse(process.env);

const log = createLogger('reindex-aggregator');
const deps = buildAggregatorDeps({
  kubeConfig: loadKubeConfig({ url: env.KUBE_API_URL }),
  log,
  signingKey: env.REINDEX_SIGNING_KEY,
  maxBodyBytes: env.MAX_BODY_BYTES,
  eventsNamespace: env.EVENTS_NAMESPACE,
  instance: env.POD_NAME,
  statusWriteIntervalMs: env.STATUS_WRITE_INTERVAL_MS,
});
const metrics = await serveMetrics(deps.registry, env.METRICS_PORT);
const running = await startAggregator(deps, env.PORT, env.HOST);
log.info({ url: running.url, metricsUrl: metrics.url }, 'Started reindex aggregator');

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    log.info({ signal }, 'Stopping reindex aggregator');
    void running.close().then(async () => {
      await metrics.close();
      process.exit(0);
    });
  });
}
