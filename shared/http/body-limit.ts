import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ReindexError } from '../errors/reindex-error.js';

/**
 * Default largest request body: four times the 256 KiB a window.requested
 * may reach (DESIGN.md §4.2; the controller fails a job whose snapshot would
 * pass 200 KiB), so no legitimate event comes near it.
 */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/**
 * hono's bodyLimit for every route of an app: a larger body (by
 * Content-Length, or counted as it streams) is answered 413 (the Broker does
 * not retry it) before any handler reads it. `respond` lets an app answer
 * through its own error mapping and metrics.
 */
export function limitBody(
  maxSize: number = DEFAULT_MAX_BODY_BYTES,
  respond: (c: Context, err: ReindexError) => Response = (c, err) => c.json({ error: err.message }, 413),
): MiddlewareHandler {
  return bodyLimit({ maxSize, onError: (c) => respond(c, new ReindexError(413, `request body exceeds ${maxSize} bytes`)) });
}
