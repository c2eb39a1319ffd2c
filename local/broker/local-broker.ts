// A Knative Broker for one machine: the ingress, trigger filters, delivery
// with Prefer: reply, reply events routed again, retries with Knative's
// backoff, and dead letters carrying knativeerror* extensions. In memory:
// at-least-once while the process lives (DESIGN.md §6).
import { setMaxListeners } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { silentLogger, type Logger } from '../../shared/log.js';
import { ARRIVAL_TIME_EXTENSION, DEFAULT_TTL, TTL_EXTENSION, type BrokerEvent } from './broker-event.js';
import { buildRoutes, type TriggerRoute } from './broker-routes.js';
import { deadLetterEvent, type DeliveryFailure } from './dead-letter-event.js';
import { createIngressApp } from './ingress-app.js';
import type { Broker, Trigger } from './knative-eventing.js';
import { sendEvent } from './send-event.js';
import { triggerMatches } from './trigger-filter.js';
import { createWorkQueue } from './work-queue.js';

export type LocalBrokerOptions = {
  brokers: Broker[];
  triggers: Trigger[];
  /** Where each subscriber listens locally; see resolveDestination for the keys. */
  subscriberUrls: Record<string, string>;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  log?: Logger;
  /** Waits out a backoff; tests pass one that records the delay and returns at once. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Clock for knativearrivaltime. */
  now?: () => Date;
  /** Deliveries in flight at once, across all triggers (default 32). */
  concurrency?: number;
  /** Deliveries waiting or running past which the ingress answers 429 (default 100000). */
  maxPending?: number;
  /** Largest request body the ingress accepts (default 1 MiB, as the functions). */
  maxBodyBytes?: number;
};

export type BrokerStats = {
  /** Events accepted at the ingress, replies included. */
  received: number;
  /** Reply events that re-entered the broker. */
  replies: number;
  /** Accepted events no trigger selected. */
  unmatched: number;
  /** Successful deliveries to subscribers. */
  delivered: number;
  /** Redelivery attempts made (to subscribers and dead-letter sinks). */
  retried: number;
  /** Events handed to a dead-letter sink after their last retry. */
  deadLettered: number;
  /** Events given up on: no dead-letter sink, or it failed too, or a reply over its TTL. */
  failed: number;
  /** Deliveries abandoned by close(). */
  cancelled: number;
  /** Deliveries running now, and waiting (queued or backing off). */
  inFlight: number;
  pending: number;
};

export type LocalBroker = {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  /** The address a producer posts to, e.g. http://127.0.0.1:41234/activity-system/activity-reindex */
  ingressUrl(namespace: string, broker: string): string;
  /** A snapshot of the counters. */
  readonly stats: BrokerStats;
  /** Problems found in the config (triggers left out, unresolved dead-letter sinks). */
  readonly warnings: string[];
  /** Resolves when no delivery is running, queued or waiting to retry. */
  idle(): Promise<void>;
  /** Stops the ingress, cancels running and waiting deliveries, and resolves once they have all stopped. */
  close(): Promise<void>;
};

type Delivery = {
  route: TriggerRoute;
  event: BrokerEvent;
  /** Hops left for a reply (knativebrokerttl). */
  ttl: number;
  target: 'subscriber' | 'dead-letter';
  /** Retries already made. */
  retries: number;
};

export async function startLocalBroker(options: LocalBrokerOptions): Promise<LocalBroker> {
  const log = (options.log ?? silentLogger).child({ component: 'local-broker' });
  const sleep = options.sleep ?? ((ms, signal) => delay(ms, undefined, { signal }));
  const now = options.now ?? (() => new Date());
  const maxPending = options.maxPending ?? 100_000;
  const { brokers, warnings } = buildRoutes(options.brokers, options.triggers, options.subscriberUrls);
  for (const warning of warnings) log.warn(warning);

  const queue = createWorkQueue(options.concurrency ?? 32);
  const shutdown = new AbortController();
  // Every attempt in flight and every backoff sleeping listens for shutdown,
  // and stops listening when it ends: thousands at once is no leak.
  setMaxListeners(0, shutdown.signal);
  const counts = { received: 0, replies: 0, unmatched: 0, delivered: 0, retried: 0, deadLettered: 0, failed: 0, cancelled: 0 };

  // Routes one event to every matching trigger. `ttl` counts reply hops, so
  // a subscriber that answers every event with another cannot loop forever.
  function route(brokerKey: string, event: BrokerEvent, ttl: number): void {
    counts.received++;
    const routes = brokers.get(brokerKey) ?? [];
    const matching = routes.filter((r) => triggerMatches(r.spec, event.attributes));
    if (matching.length === 0) {
      counts.unmatched++;
      log.debug({ broker: brokerKey, type: event.attributes.type, id: event.attributes.id }, 'Dropped CloudEvent that no Trigger selected');
    }
    for (const r of matching) enqueue({ route: r, event, ttl, target: 'subscriber', retries: 0 });
  }

  function enqueue(delivery: Delivery): void {
    queue.push(() => attempt(delivery));
  }

  async function attempt(d: Delivery): Promise<void> {
    if (shutdown.signal.aborted) {
      counts.cancelled++;
      return;
    }
    const url = d.target === 'subscriber' ? d.route.subscriberUrl : d.route.deadLetterUrl!;
    const deliveryLog = log.child({ trigger: d.route.name, target: d.target, id: d.event.attributes.id, type: d.event.attributes.type });
    const result = await sendEvent(url, d.event, {
      acceptReply: d.target === 'subscriber',
      timeoutMs: d.route.policy.timeoutMs,
      signal: shutdown.signal,
    });
    if (result.ok) {
      if (d.target === 'dead-letter') {
        counts.deadLettered++;
        deliveryLog.warn({ url }, 'Delivered CloudEvent to dead-letter sink');
        return;
      }
      counts.delivered++;
      if (result.reply) acceptReply(d, result.reply);
      return;
    }
    if (result.cancelled) {
      counts.cancelled++;
      return;
    }
    const failure: DeliveryFailure = { destination: url, status: result.status ?? 500, body: result.body };
    if (result.retryable && d.retries < d.route.policy.retries) {
      const retry = d.retries + 1;
      const wait = d.route.policy.delayMs(retry);
      counts.retried++;
      deliveryLog.info({ url, status: result.status, retry, of: d.route.policy.retries, delayMs: wait }, 'Retrying CloudEvent delivery');
      // The backoff waits outside the queue, so it holds no delivery slot;
      // hold() keeps idle() from resolving while it waits.
      queue.hold();
      sleep(wait, shutdown.signal)
        .then(
          () => (shutdown.signal.aborted ? void counts.cancelled++ : enqueue({ ...d, retries: retry })),
          () => void counts.cancelled++, // the sleep was cut short by close()
        )
        .finally(() => queue.release());
      return;
    }
    if (d.target === 'subscriber' && d.route.deadLetterUrl) {
      deliveryLog.warn({ url, status: result.status, retries: d.retries }, 'Failed to deliver CloudEvent, sending it to the dead-letter sink');
      enqueue({ ...d, event: deadLetterEvent(d.event, failure), target: 'dead-letter', retries: 0 });
      return;
    }
    counts.failed++;
    deliveryLog.error({ url, status: result.status, retries: d.retries, error: result.body.toString('utf8', 0, 200) }, 'Dropped CloudEvent after its last delivery attempt');
  }

  // Knative's filter re-attaches the decremented TTL and posts the reply to
  // the broker's ingress; routing it in-process is the same thing minus a hop.
  function acceptReply(d: Delivery, reply: BrokerEvent): void {
    const ttl = d.ttl - 1;
    if (ttl <= 0) {
      counts.failed++;
      log.error({ trigger: d.route.name, id: reply.attributes.id }, 'Dropped reply CloudEvent: knativebrokerttl exhausted');
      return;
    }
    counts.replies++;
    route(brokerKeyOf(d.route), stamp(reply), ttl);
  }

  function brokerKeyOf(r: TriggerRoute): string {
    return `${r.name.split('/')[0]}/${r.spec.broker}`;
  }

  // What the ingress adds: arrival time always, and the hop budget set aside
  // (subscribers never see knativebrokerttl, as on a cluster).
  function stamp(event: BrokerEvent): BrokerEvent {
    const { [TTL_EXTENSION]: _ttl, ...attributes } = event.attributes;
    return { data: event.data, attributes: { ...attributes, [ARRIVAL_TIME_EXTENSION]: now().toISOString() } };
  }

  const app = createIngressApp({
    log,
    maxBodyBytes: options.maxBodyBytes,
    accept(brokerKey, event) {
      if (shutdown.signal.aborted) return 'closing';
      if (!brokers.has(brokerKey)) return 'unknown-broker';
      if (queue.active + queue.queued + queue.held >= maxPending) return 'overloaded';
      const ttl = Number.parseInt(event.attributes[TTL_EXTENSION] ?? '', 10);
      route(brokerKey, stamp(event), Number.isFinite(ttl) && ttl > 0 ? ttl : DEFAULT_TTL);
      return 'accepted';
    },
  });
  const server = createAdaptorServer({ fetch: app.fetch });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;
  log.info({ url, brokers: [...brokers.keys()], triggers: [...brokers.values()].flat().map((r) => r.name) }, 'Started local Broker');

  let closed: Promise<void> | undefined;
  return {
    url,
    ingressUrl: (namespace, broker) => `${url}/${encodeURIComponent(namespace)}/${encodeURIComponent(broker)}`,
    get stats() {
      return { ...counts, inFlight: queue.active, pending: queue.queued + queue.held };
    },
    warnings,
    idle: () => queue.idle(),
    close() {
      closed ??= (async () => {
        shutdown.abort();
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        if ('closeIdleConnections' in server) server.closeIdleConnections();
        await Promise.all([stopped, queue.idle()]);
        log.info({ ...counts }, 'Stopped local Broker');
      })();
      return closed;
    },
  };
}
