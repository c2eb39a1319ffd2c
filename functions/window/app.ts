import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTP } from 'cloudevents';
import { ReindexError } from '../../shared/errors/reindex-error.js';
import { errorResponse } from '../../shared/http/error-response.js';
import { toCloudEvent } from '../../shared/http/cloud-event-request.js';
import type { WindowErrorType } from '../../shared/metrics/window-metrics.js';
import { handle } from './handle.js';
import type { WindowDeps } from './window-deps.js';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

const ERROR_TYPE: Record<number, WindowErrorType> = { 400: 'invalid_event', 413: 'too_large', 503: 'unavailable' };

/**
 * The Hono adapter of `handle`: POST / takes a window.requested CloudEvent
 * (binary or structured mode) and replies 200 with window.completed in
 * binary mode; the Broker forwards that reply to the aggregator.
 */
export function createApp(deps: WindowDeps): Hono {
  const app = new Hono();
  const maxSize = deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const countError = (status: number) => deps.metrics.errors.inc({ error_type: ERROR_TYPE[status] ?? 'internal' });

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
      onError: (c) => errorResponse(new ReindexError(413, `request body exceeds ${maxSize} bytes`), c, deps.log, countError),
    }),
    async (c) => {
      const reply = HTTP.binary(await handle(await toCloudEvent(c.req.raw), deps));
      return new Response(reply.body as string, { status: 200, headers: reply.headers as Record<string, string> });
    },
  );
  app.onError((err, c) => errorResponse(err, c, deps.log, countError));
  return app;
}
