import { z } from 'zod';
import { deliveryBudgetMs } from '../shared/knative/delivery-budget.js';
import { parseIsoDuration } from '../shared/knative/iso-duration.js';

/**
 * One hop's delivery as the manifests configure it: the Trigger's
 * spec.delivery (retry, backoff), the per-attempt timeout (the Trigger's
 * delivery.timeout, or else the subscriber's Knative Service timeoutSeconds)
 * and, when the Trigger names a deadLetterSink, the per-attempt timeout of
 * that sink (its Service's timeoutSeconds): Knative delivers a dead letter
 * with the Trigger's retries and backoff, so a delivery that runs out gets
 * a second run. knative/controller-deployment.yaml passes both hops as JSON,
 * and test/manifests-controller-delivery.test.ts keeps them equal to the
 * Triggers and Services.
 */
export const Delivery = z.object({
  retry: z.number().int().min(0),
  backoffPolicy: z.enum(['linear', 'exponential']).default('exponential'),
  backoffDelay: z.string().refine((v) => safeDuration(v) !== undefined, 'an ISO-8601 duration such as PT2S'),
  timeout: z.string().refine((v) => safeDuration(v) !== undefined, 'an ISO-8601 duration such as PT600S'),
  deadLetterTimeout: z.string().refine((v) => safeDuration(v) !== undefined, 'an ISO-8601 duration such as PT60S').optional(),
});
export type Delivery = z.infer<typeof Delivery>;

/** A JSON environment value parsed as a Delivery. */
export const DeliveryJson = z.string().transform((text, ctx) => {
  try {
    return Delivery.parse(JSON.parse(text));
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `not a delivery ({"retry":6,"backoffPolicy":"exponential","backoffDelay":"PT2S","timeout":"PT600S","deadLetterTimeout":"PT60S"}): ${(err as Error).message}` });
    return z.NEVER;
  }
});

/**
 * How long after emitting a window its result may still arrive: the window
 * request's whole delivery (every attempt running into the window
 * function's timeout, plus backoff), then the longer of its two endings.
 * Either the request runs out and its dead letter goes to the aggregator
 * (the window Trigger's retries and backoff again, each attempt into the
 * sink's timeout), or the window answers and its result goes to the
 * aggregator (every attempt into the aggregator's timeout, plus backoff) and,
 * should that run out, the result's own dead-letter run. Past it no retry is
 * pending anywhere, so the result is lost and the window is emitted again.
 * Scale (tests) multiplies every duration.
 */
export function resultDeadlineMs(window: Delivery, result: Delivery, scale = 1): number {
  const hop = (d: Delivery) => deliveryBudgetMs(d, parseIsoDuration(d.timeout));
  const deadLetterHop = (d: Delivery) => (d.deadLetterTimeout === undefined ? 0 : deliveryBudgetMs(d, parseIsoDuration(d.deadLetterTimeout)));
  return Math.round((hop(window) + Math.max(deadLetterHop(window), hop(result) + deadLetterHop(result))) * scale);
}

function safeDuration(text: string): number | undefined {
  try {
    return parseIsoDuration(text);
  } catch {
    return undefined;
  }
}
