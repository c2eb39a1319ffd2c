import type { Context } from 'hono';
import { ReindexError } from '../../shared/errors/reindex-error.js';
import type { Logger } from '../../shared/log.js';

/**
 * The one place an error becomes a response. 400 tells the Broker not to
 * retry a result that can never be folded; anything else (the API server
 * down, conflicts past the retries) is 5xx, so the result is redelivered.
 */
export function errorResponse(err: Error, c: Context, log: Logger): Response {
  if (err instanceof ReindexError) {
    log.warn({ err, status: err.status, retryable: err.retryable }, 'Rejected CloudEvent');
    return c.json({ error: err.message }, err.status);
  }
  log.error({ err }, 'Failed to handle CloudEvent');
  return c.json({ error: 'internal error' }, 500);
}
