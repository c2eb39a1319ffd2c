import { Hono } from 'hono';
import type { Context } from 'hono';
import type { Registry } from 'prom-client';
import { serveApp, type ServedApp } from '../http/serve.js';

/** Where Prometheus scrapes a Knative function: a port of its own, on every interface. */
export const DEFAULT_METRICS_PORT = 9090;

/**
 * Serves `GET /metrics` of a registry on its own port, bound to all
 * interfaces (port 0 = any free port). A Knative function's serving port
 * stays on localhost behind the queue-proxy, which Prometheus cannot
 * scrape through; this one is scraped on the pod IP (knative/components/
 * prometheus-monitoring).
 */
export async function serveMetrics(registry: Registry, port = DEFAULT_METRICS_PORT, hostname = '0.0.0.0'): Promise<ServedApp> {
  const app = new Hono();
  app.get('/metrics', metricsHandler(registry));
  return serveApp(app, port, hostname, { graceMs: 0 });
}

/** `GET /metrics` of a registry, in its exposition format: one handler for every app that serves one. */
export function metricsHandler(registry: Registry) {
  return async (c: Context) => c.body(await registry.metrics(), 200, { 'Content-Type': registry.contentType });
}
