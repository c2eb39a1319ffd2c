// The local broker reading the very manifests the cluster applies
// (knative/): the reindex flow routes as DESIGN.md §2 draws it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { CloudEvent, HTTP } from 'cloudevents';
import { WINDOW_COMPLETED, WINDOW_FAILED, WINDOW_REQUESTED } from '../shared/contracts/cloud-event-types.js';
import { loadKnativeEventing } from '../local/broker/load-knative-config.js';
import { startLocalBroker } from '../local/broker/local-broker.js';

const manifests = fileURLToPath(new URL('../knative', import.meta.url));

type Seen = { headers: IncomingHttpHeaders; id: string; type: string };

async function subscriber(t: { after: (fn: () => Promise<void>) => void }, answer: (e: CloudEvent<unknown>) => { status: number; event?: CloudEvent<unknown> }) {
  const seen: Seen[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const event = HTTP.toEvent({ headers: req.headers, body: Buffer.concat(chunks).toString() }) as CloudEvent<unknown>;
    seen.push({ headers: req.headers, id: event.id, type: event.type });
    const { status, event: reply } = answer(event);
    const message = reply ? HTTP.binary(reply) : { headers: {}, body: '' };
    res.writeHead(status, message.headers as Record<string, string>).end(message.body as string);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  t.after(async () => {
    server.closeAllConnections();
    await new Promise<void>((ok) => server.close(() => ok()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

test('knative/ defines the activity-reindex Broker and its three Triggers, all resolvable locally', async () => {
  const { brokers, triggers } = await loadKnativeEventing(manifests);
  assert.deepEqual(brokers.map((b) => `${b.metadata.namespace}/${b.metadata.name}`), ['activity-system/activity-reindex']);
  const subscribers = new Set(triggers.map((t) => t.spec.subscriber.ref?.name));
  assert.deepEqual([...subscribers].sort(), ['reindex-aggregator', 'reindex-window']);
});

test('through knative/: requests reach the window function, its reply and failed windows reach the aggregator, and an exhausted window is dead-lettered to the aggregator', async (t) => {
  const config = await loadKnativeEventing(manifests);
  const window = await subscriber(t, (e) =>
    e.id === 'uid-w1'
      ? { status: 503 }
      : { status: 200, event: new CloudEvent({ id: `${e.id}-result`, source: '/functions/window', type: WINDOW_COMPLETED, data: {} }) },
  );
  const aggregator = await subscriber(t, () => ({ status: 202 }));
  const delays: number[] = [];
  const broker = await startLocalBroker({
    ...config,
    subscriberUrls: { 'reindex-window': window.url, 'reindex-aggregator': aggregator.url },
    sleep: async (ms) => void delays.push(ms),
  });
  t.after(() => broker.close());
  assert.deepEqual(broker.warnings, []);

  const send = (e: CloudEvent<unknown>) => {
    const m = HTTP.binary(e);
    return fetch(broker.ingressUrl('activity-system', 'activity-reindex'), { method: 'POST', headers: m.headers as Record<string, string>, body: m.body as string });
  };
  const source = '/controller/reindexjobs/backfill';
  assert.equal((await send(new CloudEvent({ id: 'uid-w0', source, type: WINDOW_REQUESTED, data: {} }))).status, 202);
  assert.equal((await send(new CloudEvent({ id: 'uid-w1', source, type: WINDOW_REQUESTED, data: {} }))).status, 202);
  assert.equal((await send(new CloudEvent({ id: 'uid-w2-result', source: '/functions/window', type: WINDOW_FAILED, data: {} }))).status, 202);
  await broker.idle();

  assert.equal(window.seen.filter((s) => s.id === 'uid-w0').length, 1);
  assert.equal(window.seen.filter((s) => s.id === 'uid-w1').length, 7, 'one attempt and the six retries knative/ asks for');
  const got = aggregator.seen.map((s) => `${s.type.split('.').pop()}:${s.id}:${s.headers['ce-knativeerrorcode'] ?? ''}`).sort();
  assert.deepEqual(got, ['completed:uid-w0-result:', 'failed:uid-w2-result:', 'requested:uid-w1:503']);
  // PT2S doubling, Knative's zero-based count: 2s, 4s, … 64s.
  assert.deepEqual(delays, [2000, 4000, 8000, 16000, 32000, 64000]);
});

test('through knative/: a result the aggregator cannot take through its retries is dead-lettered to the aggregator, which gets a second run', async (t) => {
  const config = await loadKnativeEventing(manifests);
  // Down for the first run (one attempt + ten retries) and two attempts more.
  let attempts = 0;
  const aggregator = await subscriber(t, () => ({ status: ++attempts <= 13 ? 503 : 202 }));
  const delays: number[] = [];
  const broker = await startLocalBroker({
    ...config,
    subscriberUrls: { 'reindex-window': aggregator.url, 'reindex-aggregator': aggregator.url },
    sleep: async (ms) => void delays.push(ms),
  });
  t.after(() => broker.close());
  assert.deepEqual(broker.warnings, []);
  for (const type of [WINDOW_COMPLETED, WINDOW_FAILED]) {
    attempts = 0;
    const m = HTTP.binary(new CloudEvent({ id: 'uid-w4-result', source: '/functions/window', type, data: {} }));
    const res = await fetch(broker.ingressUrl('activity-system', 'activity-reindex'), { method: 'POST', headers: m.headers as Record<string, string>, body: m.body as string });
    assert.equal(res.status, 202);
    await broker.idle();
    const seen = aggregator.seen.filter((s) => s.type === type);
    assert.equal(seen.length, 14, `${type}: 11 attempts, then the dead letter's third attempt is taken`);
    assert.deepEqual(
      seen.map((s) => s.headers['ce-knativeerrorcode'] ?? ''),
      [...Array(11).fill(''), '503', '503', '503'],
      'the second run carries knativeerror* extensions',
    );
  }
  assert.equal(broker.stats.deadLettered, 2);
  assert.equal(broker.stats.failed, 0, 'no result dropped');
});
