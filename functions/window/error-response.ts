import type { Context } from 'hono';
import { ReindexError } from '../../shared/errors/reindex-error.js';
import type { Logger } from '../../shared/log.js';
import type { WindowErrorType, WindowMetrics } from '../../shared/metrics/window-metrics.js';

const ERROR_TYPE: Record<number, WindowErrorType> = { 400: 'invalid_event', 413: 'too_large', 503: 'unavailable' };

/**
 * The one place an error becomes a response. The status is the Broker's
 * instruction: 400/413 are dropped (dead-lettered), 5xx redelivered.
 */
export function errorResponse(err: Error, c: Context, log: Logger, metrics?: WindowMetrics): Response {
  if (err instanceof ReindexError) {
    metrics?.errors.inc({ type: ERROR_TYPE[err.status] ?? 'internal' });
    log.warn({ err, status: err.status, retryable: err.retryable }, 'Rejected CloudEvent');
    return c.json({ error: err.message }, err.status);
  }
  metrics?.errors.inc({ type: 'internal' });
  log.error({ err }, 'Failed to handle CloudEvent');
  return c.json({ error: 'internal error' }, 500);
}
