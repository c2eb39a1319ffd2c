import { Hono } from 'hono';
import { toCloudEvent } from '../../shared/http/cloud-event-request.js';
import { errorResponse } from '../../shared/http/error-response.js';
import { handle } from './handle.js';
import type { AggregatorDeps } from './aggregator-deps.js';

/**
 * The Hono adapter of `handle`: POST / takes a window result (binary or
 * structured mode) and answers 200 with no body, so the Broker sends no
 * reply event on. 400 tells the Broker not to retry a result that can never
 * be folded; anything else (the API server down, conflicts past the
 * retries) is 5xx, so the result is redelivered.
 */
export function createApp(deps: AggregatorDeps): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/metrics', async (c) => {
    c.header('Content-Type', deps.registry.contentType);
    return c.body(await deps.registry.metrics());
  });
  app.post('/', async (c) => {
    await handle(await toCloudEvent(c.req.raw), deps);
    return c.body(null, 200);
  });
  app.onError((err, c) => errorResponse(err, c, deps.log));
  return app;
}
