import { Hono } from 'hono';
import { HTTP } from 'cloudevents';
import { limitBody } from '../../shared/http/body-limit.js';
import { errorResponse } from '../../shared/http/error-response.js';
import { toCloudEvent } from '../../shared/http/cloud-event-request.js';
import type { WindowErrorType } from '../../shared/metrics/window-metrics.js';
import { unauthorizedEventsCounter } from '../../shared/metrics/unauthorized-events.js';
import { requireSignature, signEvent } from '../../shared/signing/event-signature.js';
import { handle } from './handle.js';
import type { WindowDeps } from './window-deps.js';
import { metricsHandler } from '../../shared/metrics/serve-metrics.js';


const ERROR_TYPE: Record<number, WindowErrorType> = { 400: 'invalid_event', 401: 'unauthorized', 413: 'too_large', 503: 'unavailable' };

/**
 * The Hono adapter of `handle`: POST / takes a window.requested CloudEvent
 * (binary or structured mode) signed by the controller and replies 200 with
 * window.completed in binary mode, signed by this function; the Broker
 * forwards that reply to the aggregator. An unsigned or wrongly signed
 * window is refused (401) before anything is read or published.
 */
export function createApp(deps: WindowDeps): Hono {
  const app = new Hono();
  const countError = (status: number) => deps.metrics.errors.inc({ error_type: ERROR_TYPE[status] ?? 'internal' });
  const unauthorized = unauthorizedEventsCounter(deps.registry);

  app.use('*', limitBody(deps.maxBodyBytes, (c, err) => errorResponse(err, c, deps.log, countError)));
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const ready = await deps.ready();
    return c.json(ready, ready.nats && ready.clickhouse ? 200 : 503);
  });
  app.get('/metrics', metricsHandler(deps.registry));
  app.post('/', async (c) => {
    const event = await toCloudEvent(c.req.raw);
    requireSignature(event, deps.signingKey, (reason) => unauthorized.inc({ reason }));
    const reply = HTTP.binary(signEvent(await handle(event, deps), deps.signingKey));
    return new Response(reply.body as string, { status: 200, headers: reply.headers as Record<string, string> });
  });
  app.onError((err, c) => errorResponse(err, c, deps.log, countError));
  return app;
}
