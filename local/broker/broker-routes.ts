// Resolves the Broker and Trigger objects into what the data plane needs:
// per broker, the triggers with their subscriber URL, retry policy and
// dead-letter URL. Pure: no I/O, so a bad config fails before anything listens.
import type { Broker, DeliverySpec, Trigger } from './knative-eventing.js';
import { describeDestination, resolveDestination } from './resolve-destination.js';
import { retryPolicyFor, type RetryPolicy } from './retry-policy.js';
import { unsupportedFilter } from './trigger-filter.js';

export type TriggerRoute = {
  /** "namespace/name" */
  name: string;
  spec: Trigger['spec'];
  subscriberUrl: string;
  policy: RetryPolicy;
  deadLetterUrl?: string;
};

export type BrokerRoutes = {
  /** keyed "namespace/broker" */
  brokers: Map<string, TriggerRoute[]>;
  /** Problems that leave a trigger or dead-letter sink out; the caller logs them. */
  warnings: string[];
};

export function buildRoutes(brokers: Broker[], triggers: Trigger[], subscriberUrls: Record<string, string>): BrokerRoutes {
  const byKey = new Map<string, { broker: Broker; routes: TriggerRoute[] }>();
  for (const broker of brokers) {
    byKey.set(`${broker.metadata.namespace ?? 'default'}/${broker.metadata.name}`, { broker, routes: [] });
  }
  const warnings: string[] = [];
  for (const trigger of triggers) {
    const namespace = trigger.metadata.namespace ?? 'default';
    const name = `${namespace}/${trigger.metadata.name}`;
    const entry = byKey.get(`${namespace}/${trigger.spec.broker}`);
    if (!entry) {
      warnings.push(`Trigger ${name} names broker "${trigger.spec.broker}", which is not defined in namespace ${namespace}`);
      continue;
    }
    if (unsupportedFilter(trigger.spec)) throw new Error(`Trigger ${name} uses a CESQL filter, which the local broker does not support`);
    const subscriberUrl = resolveDestination(trigger.spec.subscriber, namespace, subscriberUrls);
    if (!subscriberUrl) {
      warnings.push(`Trigger ${name} left out: no local URL for subscriber ${describeDestination(trigger.spec.subscriber)} (add it to subscriberUrls)`);
      continue;
    }
    // Knative takes the trigger's delivery as a whole when it has one, the broker's otherwise.
    const delivery: DeliverySpec | undefined = trigger.spec.delivery ?? entry.broker.spec?.delivery;
    const policy = retryPolicyFor(delivery);
    let deadLetterUrl: string | undefined;
    if (delivery?.deadLetterSink) {
      deadLetterUrl = resolveDestination(delivery.deadLetterSink, namespace, subscriberUrls);
      if (!deadLetterUrl) {
        warnings.push(`Trigger ${name}: no local URL for dead-letter sink ${describeDestination(delivery.deadLetterSink)}; failed events will be dropped`);
      }
    }
    entry.routes.push({ name, spec: trigger.spec, subscriberUrl, policy, deadLetterUrl });
  }
  return { brokers: new Map([...byKey].map(([key, { routes }]) => [key, routes])), warnings };
}
