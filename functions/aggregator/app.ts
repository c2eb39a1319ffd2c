import { Hono } from 'hono';
import { limitBody } from '../../shared/http/body-limit.js';
import { toCloudEvent } from '../../shared/http/cloud-event-request.js';
import { errorResponse } from '../../shared/http/error-response.js';
import { unauthorizedEventsCounter } from '../../shared/metrics/unauthorized-events.js';
import { requireSignature } from '../../shared/signing/event-signature.js';
import { handle } from './handle.js';
import type { AggregatorDeps } from './aggregator-deps.js';
import { metricsHandler } from '../../shared/metrics/serve-metrics.js';

/**
 * The Hono adapter of `handle`: POST / takes a window result (binary or
 * structured mode) and answers 200 with no body, so the Broker sends no
 * reply event on. Every event must carry a valid signature: results the
 * window function's, a dead-lettered window.requested the controller's
 * (the Broker only adds knativeerror* extensions, which are not signed);
 * anything else is 401 and changes nothing. 400 tells the Broker not to
 * retry a result that can never be folded; anything else (the API server
 * down, conflicts past the retries) is 5xx, so the result is redelivered.
 */
export function createApp(deps: AggregatorDeps): Hono {
  const app = new Hono();
  const unauthorized = unauthorizedEventsCounter(deps.registry);
  app.use('*', limitBody(deps.maxBodyBytes, (c, err) => errorResponse(err, c, deps.log)));
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/metrics', metricsHandler(deps.registry));
  app.post('/', async (c) => {
    const event = await toCloudEvent(c.req.raw);
    requireSignature(event, deps.signingKey, (reason) => unauthorized.inc({ reason }));
    await handle(event, deps);
    return c.body(null, 200);
  });
  app.onError((err, c) => errorResponse(err, c, deps.log));
  return app;
}
