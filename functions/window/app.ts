import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTP, type CloudEventV1 } from 'cloudevents';
import { InvalidEventError } from '../../shared/errors/invalid-event-error.js';
import { ReindexError } from '../../shared/errors/reindex-error.js';
import { errorResponse } from './error-response.js';
import { handle } from './handle.js';
import type { WindowDeps } from './window-deps.js';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/**
 * The Hono adapter of `handle`: POST / takes a window.requested CloudEvent
 * (binary or structured mode) and replies 200 with window.completed in
 * binary mode; the Broker forwards that reply to the aggregator.
 */
export function createApp(deps: WindowDeps): Hono {
  const app = new Hono();
  const maxSize = deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const ready = await deps.ready();
    return c.json(ready, ready.nats && ready.clickhouse ? 200 : 503);
  });
  app.get('/metrics', async (c) => {
    c.header('Content-Type', deps.registry.contentType);
    return c.body(await deps.registry.metrics());
  });
  app.post(
    '/',
    bodyLimit({
      maxSize,
      onError: (c) => errorResponse(new ReindexError(413, `request body exceeds ${maxSize} bytes`), c, deps.log, deps.metrics),
    }),
    async (c) => {
      const reply = HTTP.binary(await handle(await toCloudEvent(c.req.raw), deps));
      return new Response(reply.body as string, { status: 200, headers: reply.headers as Record<string, string> });
    },
  );
  app.onError((err, c) => errorResponse(err, c, deps.log, deps.metrics));
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
    const details = (err as { errors?: unknown[] }).errors;
    const suffix = Array.isArray(details) && details.length > 0 ? ` (${details.map((d) => JSON.stringify(d)).join('; ')})` : '';
    throw new InvalidEventError(`not a valid CloudEvent: ${(err as Error).message}${suffix}`, { cause: err });
  }
  if (Array.isArray(event)) throw new InvalidEventError('batched CloudEvents are not accepted; send one window per request');
  return event as CloudEventV1<unknown>;
}
