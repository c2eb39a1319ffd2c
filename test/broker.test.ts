// The local Knative Broker against real HTTP subscribers on 127.0.0.1:0.
// Producers and subscribers use the cloudevents SDK, not the broker's own
// codec, so the wire format is checked by an independent implementation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { CloudEvent, HTTP } from 'cloudevents';
import { loadKnativeEventing } from '../local/broker/load-knative-config.js';
import type { Broker, DeliverySpec, Trigger } from '../local/broker/knative-eventing.js';
import { startLocalBroker, type LocalBroker, type LocalBrokerOptions } from '../local/broker/local-broker.js';

const NS = 'activity-system';
const BROKER = 'activity-reindex';
const REQUESTED = 'com.miloapis.activity.reindex.window.requested';
const COMPLETED = 'com.miloapis.activity.reindex.window.completed';

type Received = { headers: IncomingHttpHeaders; body: Buffer; event: CloudEvent<unknown> };
type Reply = { status: number; headers?: Record<string, string>; body?: string };

/** A real HTTP subscriber that records what it receives and answers through `respond`. */
class Subscriber {
  received: Received[] = [];
  private server?: Server;
  port = 0;
  constructor(private respond: (r: Received, n: number) => Reply | Promise<Reply> = () => ({ status: 202 })) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  async start(port = 0): Promise<this> {
    this.server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      const event = HTTP.toEvent({ headers: req.headers, body: body.toString() }) as CloudEvent<unknown>;
      const r = { headers: req.headers, body, event };
      this.received.push(r);
      const reply = await this.respond(r, this.received.length);
      res.writeHead(reply.status, reply.headers ?? {}).end(reply.body ?? '');
    });
    await new Promise<void>((ok) => this.server!.listen(port, '127.0.0.1', ok));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Stops answering at once, as a killed process would. */
  async stop(): Promise<void> {
    if (!this.server) return;
    const closed = new Promise<void>((ok) => this.server!.close(() => ok()));
    this.server.closeAllConnections();
    await closed;
    this.server = undefined;
  }
}

function broker(delivery?: DeliverySpec): Broker {
  return { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', metadata: { name: BROKER, namespace: NS }, spec: delivery ? { delivery } : {} };
}

function trigger(name: string, subscriber: string, spec: Partial<Trigger['spec']> = {}): Trigger {
  return {
    apiVersion: 'eventing.knative.dev/v1',
    kind: 'Trigger',
    metadata: { name, namespace: NS },
    spec: { broker: BROKER, subscriber: { ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: subscriber } }, ...spec },
  };
}

function ofType(type: string): Partial<Trigger['spec']> {
  return { filter: { attributes: { type } } };
}

/** Starts a broker whose backoff sleeps are recorded and skipped. */
async function start(t: { after: (fn: () => Promise<void>) => void }, options: Omit<LocalBrokerOptions, 'sleep'> & { sleep?: LocalBrokerOptions['sleep'] }) {
  const delays: number[] = [];
  const b = await startLocalBroker({
    sleep: async (ms) => {
      delays.push(ms);
    },
    ...options,
  });
  t.after(() => b.close());
  return { broker: b, delays };
}

function requested(extra: Record<string, unknown> = {}): CloudEvent<unknown> {
  return new CloudEvent({
    id: 'job-uid-w0',
    source: '/controller/reindexjobs/backfill',
    type: REQUESTED,
    subject: 'reindexjobs/backfill/windows/0',
    reindexjob: 'backfill',
    reindexwindow: '0',
    datacontenttype: 'application/json',
    data: { window: { index: 0 } },
    ...extra,
  });
}

async function post(b: LocalBroker, event: CloudEvent<unknown>, mode: 'binary' | 'structured' = 'binary'): Promise<Response> {
  const message = mode === 'binary' ? HTTP.binary(event) : HTTP.structured(event);
  return fetch(b.ingressUrl(NS, BROKER), { method: 'POST', headers: message.headers as Record<string, string>, body: message.body as string });
}

/** Polls until `done` holds; fails the test after two seconds instead of hanging it. */
async function until(done: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 2000; !done(); await new Promise((ok) => setTimeout(ok, 5))) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
  }
}

function decodeErrorData(r: Received): string {
  return Buffer.from(String(r.event.knativeerrordata), 'base64').toString();
}

test('a binary-mode event is accepted with 202 and delivered in binary mode with Prefer: reply to the matching trigger only', async (t) => {
  const window = await new Subscriber().start();
  const aggregator = await new Subscriber().start();
  t.after(() => Promise.all([window.stop(), aggregator.stop()]).then(() => {}));
  const { broker: b } = await start(t, {
    brokers: [broker()],
    triggers: [trigger('w', 'reindex-window', ofType(REQUESTED)), trigger('a', 'reindex-aggregator', ofType(COMPLETED))],
    subscriberUrls: { 'reindex-window': window.url, 'Service/reindex-aggregator': aggregator.url },
  });

  const res = await post(b, requested());
  assert.equal(res.status, 202);
  await b.idle();

  assert.equal(window.received.length, 1);
  assert.equal(aggregator.received.length, 0);
  const [got] = window.received;
  assert.equal(got.headers.prefer, 'reply');
  assert.equal(got.headers['ce-id'], 'job-uid-w0');
  assert.equal(got.headers['ce-reindexwindow'], '0');
  assert.equal(got.headers['content-type'], 'application/json');
  assert.ok(got.headers['ce-knativearrivaltime'], 'the ingress stamps the arrival time');
  assert.equal(got.headers['ce-knativebrokerttl'], undefined, 'subscribers never see the hop counter');
  assert.deepEqual(JSON.parse(got.body.toString()), { window: { index: 0 } });
  assert.deepEqual(b.stats, { ...b.stats, received: 1, delivered: 1, retried: 0, deadLettered: 0, failed: 0, inFlight: 0, pending: 0 });
});

test('a structured-mode event is accepted and delivered in binary mode with the same attributes and data', async (t) => {
  const window = await new Subscriber().start();
  t.after(() => window.stop());
  const { broker: b } = await start(t, {
    brokers: [broker()],
    triggers: [trigger('w', 'reindex-window')],
    subscriberUrls: { 'reindex-window': window.url },
  });

  assert.equal((await post(b, requested({ id: 'structured-1' }), 'structured')).status, 202);
  await b.idle();

  const [got] = window.received;
  assert.equal(got.headers['ce-id'], 'structured-1');
  assert.equal(got.headers['ce-subject'], 'reindexjobs/backfill/windows/0');
  assert.match(String(got.headers['content-type']), /^application\/json/);
  assert.deepEqual(got.event.data, { window: { index: 0 } });
});

test('the ingress answers 400 to what is not a CloudEvent, 404 to an unknown broker and 405 to other verbs', async (t) => {
  const window = await new Subscriber().start();
  t.after(() => window.stop());
  const { broker: b } = await start(t, { brokers: [broker()], triggers: [trigger('w', 'reindex-window')], subscriberUrls: { 'reindex-window': window.url } });

  const plain = await fetch(b.ingressUrl(NS, BROKER), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
  assert.equal(plain.status, 400);
  const noType = await fetch(b.ingressUrl(NS, BROKER), {
    method: 'POST',
    headers: { 'ce-specversion': '1.0', 'ce-id': 'x', 'ce-source': '/s' },
  });
  assert.equal(noType.status, 400);
  const badStructured = await fetch(b.ingressUrl(NS, BROKER), { method: 'POST', headers: { 'content-type': 'application/cloudevents+json' }, body: '{"specversion":"1.0"' });
  assert.equal(badStructured.status, 400);
  assert.equal((await post(b, requested()).then(() => fetch(b.ingressUrl(NS, 'nope'), { method: 'POST', headers: HTTP.binary(requested()).headers as Record<string, string> }))).status, 404);
  assert.equal((await fetch(b.ingressUrl(NS, BROKER))).status, 405);
  await b.idle();
  assert.equal(window.received.length, 1, 'only the valid event was delivered');
});

test('a 200 reply carrying a CloudEvent re-enters the broker and is routed by the other trigger; a 202 body is not', async (t) => {
  const window = await new Subscriber((r) => {
    const reply = HTTP.binary(
      new CloudEvent({ id: `${r.event.id}-result`, source: '/functions/window', type: COMPLETED, reindexjob: 'backfill', data: { processedEvents: 5 } }),
    );
    // The second request gets the same event back but with 202, which must not be routed.
    return { status: r.event.id === 'ignored' ? 202 : 200, headers: reply.headers as Record<string, string>, body: reply.body as string };
  }).start();
  const aggregator = await new Subscriber().start();
  t.after(() => Promise.all([window.stop(), aggregator.stop()]).then(() => {}));
  const { broker: b } = await start(t, {
    brokers: [broker()],
    triggers: [
      trigger('w', 'reindex-window', ofType(REQUESTED)),
      trigger('a', 'reindex-aggregator', { filters: [{ exact: { type: COMPLETED } }, { exact: { reindexjob: 'backfill' } }] }),
    ],
    subscriberUrls: { 'reindex-window': window.url, 'reindex-aggregator': aggregator.url },
  });

  await post(b, requested({ id: 'routed' }));
  await post(b, requested({ id: 'ignored' }));
  await b.idle();

  assert.equal(window.received.length, 2);
  assert.equal(aggregator.received.length, 1);
  const [result] = aggregator.received;
  assert.equal(result.event.id, 'routed-result');
  assert.deepEqual(result.event.data, { processedEvents: 5 });
  assert.ok(result.headers['ce-knativearrivaltime']);
  assert.equal(b.stats.replies, 1);
  assert.equal(b.stats.received, 3);
});

test('failures are retried with exponential backoff, then dead-lettered with the three error extensions', async (t) => {
  const window = await new Subscriber(() => ({ status: 503, body: 'ClickHouse unreachable' })).start();
  const aggregator = await new Subscriber().start();
  t.after(() => Promise.all([window.stop(), aggregator.stop()]).then(() => {}));
  const { broker: b, delays } = await start(t, {
    brokers: [broker({ retry: 3, backoffPolicy: 'exponential', backoffDelay: 'PT0.2S', deadLetterSink: { ref: { kind: 'Service', name: 'reindex-aggregator' } } })],
    triggers: [trigger('w', 'reindex-window', ofType(REQUESTED))],
    subscriberUrls: { 'reindex-window': window.url, 'reindex-aggregator': aggregator.url },
  });

  await post(b, requested());
  await b.idle();

  assert.equal(window.received.length, 4, 'one attempt and three retries');
  assert.deepEqual(delays, [200, 400, 800]);
  assert.equal(aggregator.received.length, 1);
  const [dead] = aggregator.received;
  assert.equal(dead.event.id, 'job-uid-w0');
  assert.equal(dead.event.type, REQUESTED);
  assert.equal(dead.event.knativeerrordest, window.url);
  assert.equal(dead.headers['ce-knativeerrorcode'], '503');
  assert.equal(decodeErrorData(dead), 'ClickHouse unreachable');
  assert.equal(dead.headers.prefer, undefined, 'a dead-letter sink is not offered replies');
  assert.deepEqual(JSON.parse(dead.body.toString()), { window: { index: 0 } });
  assert.equal(b.stats.retried, 3);
  assert.equal(b.stats.deadLettered, 1);
  assert.equal(b.stats.delivered, 0);
});

test("a trigger's own delivery overrides the broker's: linear backoff, 404 and 429 retried", async (t) => {
  const statuses = [404, 429, 500, 409];
  const window = await new Subscriber((_r, n) => ({ status: statuses[n - 1] ?? 200 })).start();
  t.after(() => window.stop());
  const { broker: b, delays } = await start(t, {
    brokers: [broker({ retry: 1, backoffPolicy: 'exponential', backoffDelay: 'PT9S' })],
    triggers: [trigger('w', 'reindex-window', { ...ofType(REQUESTED), delivery: { retry: 4, backoffPolicy: 'linear', backoffDelay: 'PT0.5S' } })],
    subscriberUrls: { 'reindex-window': window.url },
  });

  await post(b, requested());
  await b.idle();

  assert.equal(window.received.length, 5);
  assert.deepEqual(delays, [0, 500, 1000, 1500]);
  assert.equal(b.stats.delivered, 1);
  assert.equal(b.stats.deadLettered, 0);
});

test('a 400 is not retried: the event goes straight to the dead-letter sink', async (t) => {
  const window = await new Subscriber(() => ({ status: 400, headers: { 'content-type': 'application/json' }, body: '{"error":"no time window"}' })).start();
  const aggregator = await new Subscriber().start();
  t.after(() => Promise.all([window.stop(), aggregator.stop()]).then(() => {}));
  const { broker: b, delays } = await start(t, {
    brokers: [broker({ retry: 5, backoffDelay: 'PT1S', deadLetterSink: { ref: { kind: 'Service', name: 'reindex-aggregator' } } })],
    triggers: [trigger('w', 'reindex-window')],
    subscriberUrls: { 'reindex-window': window.url, 'reindex-aggregator': aggregator.url },
  });

  await post(b, requested());
  await b.idle();

  assert.equal(window.received.length, 1);
  assert.deepEqual(delays, []);
  assert.equal(aggregator.received[0].headers['ce-knativeerrorcode'], '400');
  assert.equal(decodeErrorData(aggregator.received[0]), '{"error":"no time window"}');
});

test('a subscriber that is down gets the event once it is back, after retries', async (t) => {
  const window = await new Subscriber().start();
  const port = window.port;
  await window.stop(); // connection refused from now on
  t.after(() => window.stop());
  const delays: number[] = [];
  const { broker: b } = await start(t, {
    brokers: [broker({ retry: 5, backoffPolicy: 'exponential', backoffDelay: 'PT2S' })],
    triggers: [trigger('w', 'reindex-window')],
    subscriberUrls: { 'reindex-window': `http://127.0.0.1:${port}/` },
    // The function comes back during the second backoff.
    sleep: async (ms) => {
      delays.push(ms);
      if (delays.length === 2) await window.start(port);
    },
  });

  assert.equal((await post(b, requested())).status, 202);
  await b.idle();

  assert.deepEqual(delays, [2000, 4000]);
  assert.equal(window.received.length, 1);
  assert.equal(window.received[0].event.id, 'job-uid-w0');
  assert.equal(b.stats.delivered, 1);
  assert.equal(b.stats.retried, 2);
});

test('when the subscriber never answers, the dead letter says 500 and carries the dispatch error', async (t) => {
  const gone = await new Subscriber().start();
  await gone.stop();
  const aggregator = await new Subscriber().start();
  t.after(() => aggregator.stop());
  const { broker: b } = await start(t, {
    brokers: [broker({ retry: 2, deadLetterSink: { uri: aggregator.url } })],
    triggers: [trigger('w', 'reindex-window')],
    subscriberUrls: { 'reindex-window': gone.url },
  });

  await post(b, requested());
  await b.idle();

  const [dead] = aggregator.received;
  assert.equal(dead.event.knativeerrordest, gone.url);
  assert.equal(dead.headers['ce-knativeerrorcode'], '500');
  assert.match(decodeErrorData(dead), /^dispatch error: /);
  assert.equal(b.stats.retried, 2);
});

test('the delivery timeout cuts a slow attempt short and counts it as a retryable failure', async (t) => {
  let release = () => {};
  const slow = new Promise<void>((ok) => (release = ok));
  const window = await new Subscriber(async (_r, n) => {
    if (n === 1) await slow;
    return { status: 202 };
  }).start();
  t.after(async () => {
    release();
    await window.stop();
  });
  const { broker: b } = await start(t, {
    brokers: [broker()],
    triggers: [trigger('w', 'reindex-window', { delivery: { retry: 1, timeout: 'PT0.1S' } })],
    subscriberUrls: { 'reindex-window': window.url },
  });

  await post(b, requested());
  await b.idle();

  assert.equal(window.received.length, 2);
  assert.equal(b.stats.retried, 1);
  assert.equal(b.stats.delivered, 1);
});

test('the ingress answers before delivery ends, and a stuck subscriber does not hold up another', async (t) => {
  let release = () => {};
  const stuck = new Promise<void>((ok) => (release = ok));
  const window = await new Subscriber(async () => {
    await stuck;
    return { status: 202 };
  }).start();
  const audit = await new Subscriber().start();
  t.after(async () => {
    release();
    await Promise.all([window.stop(), audit.stop()]);
  });
  const { broker: b } = await start(t, {
    brokers: [broker()],
    triggers: [trigger('w', 'reindex-window'), trigger('audit', 'event-log')],
    subscriberUrls: { 'reindex-window': window.url, 'event-log': audit.url },
  });

  assert.equal((await post(b, requested())).status, 202);
  // The audit subscriber's delivery completes (its 2xx is counted) while the window function still holds its event.
  await until(() => audit.received.length > 0 && window.received.length > 0 && b.stats.delivered === 1);
  assert.equal(b.stats.delivered, 1, 'the audit subscriber got it while the window function is still busy');
  assert.equal(b.stats.inFlight, 1);
  release();
  await b.idle();
  assert.equal(b.stats.delivered, 2);
});

test('an event waiting out its backoff holds no delivery slot', async (t) => {
  const window = await new Subscriber((_r, n) => ({ status: n === 1 ? 503 : 202 })).start();
  t.after(() => window.stop());
  let wake = () => {};
  const backoff = new Promise<void>((ok) => (wake = ok));
  const b = await startLocalBroker({
    brokers: [broker({ retry: 1, backoffDelay: 'PT10S' })],
    triggers: [trigger('w', 'reindex-window')],
    subscriberUrls: { 'reindex-window': window.url },
    concurrency: 1,
    sleep: () => backoff,
  });
  t.after(() => b.close());

  await post(b, requested({ id: 'flaky' }));
  await until(() => b.stats.retried > 0);
  await post(b, requested({ id: 'steady' }));
  await until(() => b.stats.delivered > 0);
  assert.deepEqual(window.received.map((r) => r.event.id), ['flaky', 'steady'], 'the second event went through during the backoff of the first');
  assert.equal(b.stats.pending, 1);

  wake();
  await b.idle();
  assert.deepEqual(window.received.map((r) => r.event.id), ['flaky', 'steady', 'flaky']);
  assert.equal(b.stats.delivered, 2);
});

test('a subscriber that answers every event with another cannot loop forever: knativebrokerttl runs out', async (t) => {
  const echo = await new Subscriber((r) => {
    const m = HTTP.binary(new CloudEvent({ id: `${r.event.id}+`, source: '/echo', type: REQUESTED }));
    return { status: 200, headers: m.headers as Record<string, string>, body: m.body as string };
  }).start();
  t.after(() => echo.stop());
  const { broker: b } = await start(t, { brokers: [broker()], triggers: [trigger('w', 'echo')], subscriberUrls: { echo: echo.url } });

  await post(b, requested({ id: 'e', knativebrokerttl: '3' }));
  await b.idle();

  assert.deepEqual(echo.received.map((r) => r.event.id), ['e', 'e+', 'e++']);
  assert.equal(b.stats.failed, 1, 'the third reply is dropped');
});

test('the ingress answers 429 once maxPending deliveries are waiting', async (t) => {
  let release = () => {};
  const stuck = new Promise<void>((ok) => (release = ok));
  const window = await new Subscriber(async () => {
    await stuck;
    return { status: 202 };
  }).start();
  t.after(async () => {
    release();
    await window.stop();
  });
  const { broker: b } = await start(t, {
    brokers: [broker()],
    triggers: [trigger('w', 'reindex-window')],
    subscriberUrls: { 'reindex-window': window.url },
    maxPending: 2,
  });

  assert.equal((await post(b, requested({ id: '1' }))).status, 202);
  assert.equal((await post(b, requested({ id: '2' }))).status, 202);
  assert.equal((await post(b, requested({ id: '3' }))).status, 429);
  release();
  await b.idle();
  assert.equal(b.stats.delivered, 2);
});

test('close() cancels running and waiting deliveries and resolves', async (t) => {
  const window = await new Subscriber(() => new Promise<Reply>(() => {})).start(); // never answers
  t.after(() => window.stop());
  const b = await startLocalBroker({
    brokers: [broker()],
    triggers: [trigger('w', 'reindex-window', { delivery: { retry: 3, backoffDelay: 'PT1H' } })],
    subscriberUrls: { 'reindex-window': window.url },
  });
  await post(b, requested({ id: 'a' }));
  await until(() => window.received.length > 0);

  await b.close();

  assert.equal(b.stats.cancelled, 1);
  assert.equal(b.stats.inFlight + b.stats.pending, 0);
  await assert.rejects(post(b, requested()), 'the ingress is gone');
});

test('the fixture manifests route the reindex flow: requests to the window function, results and dead letters to the aggregator', async (t) => {
  const config = await loadKnativeEventing(fileURLToPath(new URL('../local/broker/fixtures', import.meta.url)));
  const window = await new Subscriber((r) => (r.event.id === 'job-uid-w1' ? { status: 500, body: 'boom' } : { status: 202 })).start();
  const aggregator = await new Subscriber().start();
  t.after(() => Promise.all([window.stop(), aggregator.stop()]).then(() => {}));
  const { broker: b } = await start(t, { ...config, subscriberUrls: { 'reindex-window': window.url, 'reindex-aggregator': aggregator.url } });
  assert.deepEqual(b.warnings, []);

  await post(b, requested({ id: 'job-uid-w0' }));
  await post(b, requested({ id: 'job-uid-w1' }));
  await post(b, new CloudEvent({ id: 'job-uid-w0-result', source: '/functions/window', type: COMPLETED }));
  await b.idle();

  assert.deepEqual(window.received.map((r) => r.event.id).sort(), ['job-uid-w0', 'job-uid-w1', 'job-uid-w1', 'job-uid-w1', 'job-uid-w1']);
  const ids = aggregator.received.map((r) => `${r.event.id}:${r.headers['ce-knativeerrorcode'] ?? ''}`).sort();
  assert.deepEqual(ids, ['job-uid-w0-result:', 'job-uid-w1:500']);
});
