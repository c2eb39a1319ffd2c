// How Knative decides whether and when to redeliver (eventing's
// kncloudevents RetryConfigFromDeliverySpec plus go-retryablehttp).
import type { DeliverySpec } from './knative-eventing.js';
import { backoffDelayMs } from '../../shared/knative/delivery-budget.js';
import { parseIsoDuration } from '../../shared/knative/iso-duration.js';

export type RetryPolicy = {
  /** Retries after the first attempt; 0 = one attempt only. */
  retries: number;
  /** Delay before retry number `retry` (1-based). */
  delayMs: (retry: number) => number;
  /** Per-attempt request timeout, if the spec sets one. */
  timeoutMs?: number;
};

/** Reads `retry`, `backoffPolicy` (default exponential), `backoffDelay` (default 0) and `timeout`. */
export function retryPolicyFor(spec: DeliverySpec = {}): RetryPolicy {
  return {
    retries: spec.retry ?? 0,
    delayMs: (retry) => backoffDelayMs(spec, retry),
    timeoutMs: spec.timeout ? parseIsoDuration(spec.timeout) : undefined,
  };
}

/**
 * Knative's SelectiveRetry: connection errors and timeouts (no status), 404,
 * 408, 409, 429 and 5xx are redelivered; any other failure goes straight to
 * the dead-letter sink.
 */
export function isRetryable(status: number | undefined): boolean {
  if (status === undefined) return true;
  return status >= 500 || status === 404 || status === 408 || status === 409 || status === 429;
}

export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}
