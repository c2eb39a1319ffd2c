import { Hono } from 'hono';
import { HTTP, type CloudEventV1 } from 'cloudevents';
import { InvalidEventError } from '../../shared/errors/invalid-event-error.js';
import { errorResponse } from './error-response.js';
import { handle } from './handle.js';
import type { AggregatorDeps } from './aggregator-deps.js';

/**
 * The Hono adapter of `handle`: POST / takes a window result (binary or
 * structured mode) and answers 200 with no body, so the Broker sends no
 * reply event on.
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

// The SDK tells binary from structured mode by the headers and validates
// the required attributes; whatever it rejects is a bad event (400).
async function toCloudEvent(req: Request): Promise<CloudEventV1<unknown>> {
  const headers = Object.fromEntries(req.headers);
  const body = await req.text();
  let event;
  try {
    event = HTTP.toEvent({ headers, body });
  } catch (err) {
    throw new InvalidEventError(`not a valid CloudEvent: ${(err as Error).message}`, { cause: err });
  }
  if (Array.isArray(event)) throw new InvalidEventError('batched CloudEvents are not accepted; send one result per request');
  return event as CloudEventV1<unknown>;
}
