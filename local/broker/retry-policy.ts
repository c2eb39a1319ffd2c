// How Knative decides whether and when to redeliver (eventing's
// kncloudevents RetryConfigFromDeliverySpec plus go-retryablehttp).
import type { DeliverySpec } from './knative-eventing.js';
import { parseIsoDuration } from './iso-duration.js';

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
  const base = spec.backoffDelay ? parseIsoDuration(spec.backoffDelay) : 0;
  const linear = spec.backoffPolicy === 'linear';
  return {
    retries: spec.retry ?? 0,
    // go-retryablehttp hands Knative's Backoff a zero-based attempt number, so
    // exponential waits delay, 2·delay, 4·delay… and linear waits 0, delay,
    // 2·delay… (the same zero-based count Knative's own tests pin down).
    delayMs: (retry) => (linear ? base * (retry - 1) : base * 2 ** (retry - 1)),
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
