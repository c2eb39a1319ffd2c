// Entry point of the status page on a cluster: it reads ReindexJobs, their
// plan ConfigMaps (in the controller's namespace) and their Events through the
// Kubernetes API, with read-only RBAC (get/list).
import { collectDefaultMetrics, Registry } from 'prom-client';
import { z } from 'zod';
import { loadKubeConfig } from '../shared/kube/kube-config.js';
import { createLogger } from '../shared/log.js';
import { DEFAULT_METRICS_PORT, serveMetrics } from '../shared/metrics/serve-metrics.js';
import { kubeJobSource } from './kube-job-source.js';
import { startStatusPage } from './start-status-page.js';

// Parse at boot, so a bad manifest fails the rollout rather than the first request.
const env = z
  .object({
    PORT: z.coerce.number().int().default(8080),
    // In a container the page must answer on the pod IP; locally set 127.0.0.1.
    HOST: z.string().default('0.0.0.0'),
    // Process metrics (memory, CPU, event loop) for Prometheus, on every interface (0 = any free port).
    METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(DEFAULT_METRICS_PORT),
    /** Where the controller keeps plans: its own namespace. */
    CONTROLLER_NAMESPACE: z.string().default('activity-system'),
    EVENTS_NAMESPACE: z.string().default('default'),
    KUBE_API_URL: z.url().optional(),
  })
  .parse(process.env);

const log = createLogger('reindex-status-page');
const source = kubeJobSource(loadKubeConfig({ url: env.KUBE_API_URL }), {
  namespace: env.CONTROLLER_NAMESPACE,
  eventsNamespace: env.EVENTS_NAMESPACE,
});
const registry = new Registry();
collectDefaultMetrics({ register: registry });
const metrics = await serveMetrics(registry, env.METRICS_PORT);
const page = await startStatusPage(source, env.PORT, { hostname: env.HOST, log });
log.info({ url: page.url, metricsUrl: metrics.url }, 'Started ReindexJob status page');

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void Promise.all([page.close(), metrics.close()]).then(() => process.exit(0));
  });
}
