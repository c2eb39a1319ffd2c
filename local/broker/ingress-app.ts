// The Broker ingress, Knative's shape: POST /<namespace>/<broker> with a
// CloudEvent in binary or structured mode; 202 once accepted (delivery
// happens later), 400 naming the attribute for anything that is not a valid
// CloudEvent 1.0, 413 for a body over the limit.
import { Hono } from 'hono';
import { InvalidEventError } from '../../shared/errors/invalid-event-error.js';
import { limitBody } from '../../shared/http/body-limit.js';
import type { Logger } from '../../shared/log.js';
import type { BrokerEvent } from './broker-event.js';
import { fromHttp } from './cloud-event-http.js';

export type IngressDeps = {
  /** Hands the event to the broker; says why not when it cannot take it. */
  accept: (brokerKey: string, event: BrokerEvent) => 'accepted' | 'unknown-broker' | 'overloaded' | 'closing';
  log: Logger;
  /** Largest accepted request body (default 1 MiB). */
  maxBodyBytes?: number;
};

export function createIngressApp(deps: IngressDeps): Hono {
  const app = new Hono();
  app.use('*', limitBody(deps.maxBodyBytes));
  app.get('/healthz', (c) => c.text('ok'));
  app.post('/:namespace/:broker', async (c) => {
    const { namespace, broker } = c.req.param();
    const headers = c.req.raw.headers;
    let event: BrokerEvent;
    try {
      event = fromHttp(headers, Buffer.from(await c.req.arrayBuffer()));
    } catch (err) {
      if (err instanceof InvalidEventError) return c.json({ error: err.message, ...(err.attribute !== undefined ? { attribute: err.attribute } : {}) }, 400);
      throw err;
    }
    const outcome = deps.accept(`${namespace}/${broker}`, event);
    switch (outcome) {
      case 'accepted':
        return c.body(null, 202);
      case 'unknown-broker':
        return c.json({ error: `no broker ${namespace}/${broker}` }, 404);
      case 'overloaded':
        // 429 tells a Knative-aware sender to retry later.
        return c.json({ error: 'broker queue is full' }, 429);
      case 'closing':
        return c.json({ error: 'broker is shutting down' }, 503);
    }
  });
  app.all('/:namespace/:broker', (c) => c.json({ error: 'only POST is supported' }, 405));
  app.onError((err, c) => {
    deps.log.error({ err }, 'Failed to accept CloudEvent');
    return c.json({ error: 'internal error' }, 500);
  });
  return app;
}
