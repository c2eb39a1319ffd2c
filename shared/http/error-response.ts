import type { Context } from 'hono';
import { InvalidEventError } from '../errors/invalid-event-error.js';
import { ReindexError } from '../errors/reindex-error.js';
import type { Logger } from '../log.js';

/** Told the status of every error answered, for a function's error metrics. */
export type OnErrorResponse = (status: number, err: Error) => void;

/**
 * The one place an error becomes a response. The status is the Broker's
 * instruction: 400/401/413 are not retried (dead-lettered), 5xx redelivered.
 * An error we did not expect is a 500 whose details stay in the log.
 */
export function errorResponse(err: Error, c: Context, log: Logger, onResponse?: OnErrorResponse): Response {
  if (err instanceof ReindexError) {
    onResponse?.(err.status, err);
    log.warn({ err, status: err.status, retryable: err.retryable }, 'Rejected CloudEvent');
    const attribute = err instanceof InvalidEventError ? err.attribute : undefined;
    return c.json(attribute === undefined ? { error: err.message } : { error: err.message, attribute }, err.status);
  }
  onResponse?.(500, err);
  log.error({ err }, 'Failed to handle CloudEvent');
  return c.json({ error: 'internal error' }, 500);
}
