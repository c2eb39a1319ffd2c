// Knative delivery settings (a Trigger's spec.delivery) as time: when each
// retry comes, and how long a delivery may go on before Knative gives up.
// The local broker retries by backoffDelayMs; the controller's result
// deadline is built from deliveryBudgetMs.
import { parseIsoDuration } from './iso-duration.js';

export interface DeliveryTiming {
  retry?: number;
  backoffPolicy?: 'linear' | 'exponential';
  /** ISO-8601, e.g. PT2S. */
  backoffDelay?: string;
}

/**
 * Delay before retry number `retry` (1-based). go-retryablehttp hands
 * Knative's Backoff a zero-based attempt number, so exponential waits delay,
 * 2·delay, 4·delay… and linear waits 0, delay, 2·delay… (the same zero-based
 * count Knative's own tests pin down).
 */
export function backoffDelayMs(delivery: DeliveryTiming, retry: number): number {
  const base = delivery.backoffDelay ? parseIsoDuration(delivery.backoffDelay) : 0;
  return delivery.backoffPolicy === 'linear' ? base * (retry - 1) : base * 2 ** (retry - 1);
}

/** The longest a delivery can take: every attempt running into its timeout, plus every backoff. */
export function deliveryBudgetMs(delivery: DeliveryTiming, attemptTimeoutMs: number): number {
  const retries = delivery.retry ?? 0;
  let total = (retries + 1) * attemptTimeoutMs;
  for (let retry = 1; retry <= retries; retry++) total += backoffDelayMs(delivery, retry);
  return total;
}
