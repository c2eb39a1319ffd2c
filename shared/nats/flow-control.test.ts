import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { natsServerAvailable, startNatsServer } from '../../local/nats-server.js';
import { createAckedPublisher } from './acked-publisher.js';
import { connectNats } from './connect-nats.js';
import { ensureStream } from './ensure-stream.js';
import type { JetStreamManager } from '@nats-io/jetstream';
import { createFlowControl, unconsumedShare, watchStreamRoom } from './flow-control.js';

test('the unconsumed share counts what the sink has not acknowledged, against bytes or messages', () => {
  const base = { bytes: 800, messages: 8, firstSeq: 3, lastSeq: 10, maxBytes: 1000, maxMsgs: -1 };
  assert.equal(unconsumedShare({ ...base, ackFloor: 10 }), 0);
  assert.equal(unconsumedShare({ ...base, ackFloor: 6 }), 0.4);
  assert.equal(unconsumedShare({ ...base, ackFloor: 0 }), 0.8, 'an ack floor behind the stream: everything is unconsumed');
  assert.equal(unconsumedShare({ ...base, ackFloor: undefined }), 0.8, 'no sink consumer: nothing is consumed');
  assert.equal(unconsumedShare({ ...base, maxBytes: -1, maxMsgs: 10, ackFloor: 5 }), 0.5);
  assert.equal(unconsumedShare({ ...base, messages: 0, ackFloor: undefined }), 0);
});

test("the windows of one process share one watch of the stream: one check per poll, however many windows ask; each times its own wait", async () => {
  // A stream 90% full of unconsumed messages for its first two checks, then drained.
  let checks = 0;
  const jsm = {
    streams: {
      info: async () => {
        checks++;
        return { config: { max_bytes: 1000, max_msgs: -1 }, state: { bytes: checks <= 2 ? 900 : 0, messages: checks <= 2 ? 9 : 0, first_seq: 1, last_seq: 9 } };
      },
    },
    consumers: { info: async () => ({ ack_floor: { stream_seq: 0 } }) },
  } as unknown as JetStreamManager;
  const room = watchStreamRoom(jsm, { stream: 'S', consumer: 'sink', pollMs: 50 });
  let waitingNow = 0;
  const windows = Array.from({ length: 100 }, () => createFlowControl(room, { onWaiting: (w) => (waitingNow += w ? 1 : -1) }));
  const waits = windows.map((w) => w.ready());
  assert.ok(waits.every((p) => p !== undefined), 'every window waits on the first check');
  await new Promise((ok) => setTimeout(ok, 10));
  assert.equal(waitingNow, 100, 'all 100 windows report waiting for the full stream');
  await Promise.all(waits);
  assert.equal(checks, 3, 'three checks of the stream (full, full, room) for 100 windows, not 300');
  assert.equal(waitingNow, 0);
  for (const w of windows) assert.ok(w.waitedMs >= 40, `each window timed its own wait (${w.waitedMs} ms)`);
  assert.equal(windows[0]!.ready(), undefined, 'a check younger than pollMs is not repeated');
  assert.equal(checks, 3);
});

test('a check that fails is asked again before the windows waiting on it fail; one that keeps failing fails them', async () => {
  let calls = 0;
  let failures = 2;
  const jsm = {
    streams: {
      info: async () => {
        calls++;
        if (failures-- > 0) throw new Error('timeout');
        return { config: { max_bytes: 1000, max_msgs: -1 }, state: { bytes: 0, messages: 0, first_seq: 1, last_seq: 0 } };
      },
    },
    consumers: { info: async () => ({ ack_floor: { stream_seq: 0 } }) },
  } as unknown as JetStreamManager;
  const first = watchStreamRoom(jsm, { stream: 'S', consumer: 'sink', pollMs: 1 });
  const windows = Array.from({ length: 10 }, () => createFlowControl(first));
  await Promise.all(windows.map((w) => w.ready()));
  assert.equal(calls, 3, 'two blips, then room: asked three times, and no window failed');

  failures = Number.POSITIVE_INFINITY;
  calls = 0;
  const room = watchStreamRoom(jsm, { stream: 'S', consumer: 'sink', pollMs: 1, checkRetries: 2 });
  const shared = Array.from({ length: 5 }, () => createFlowControl(room));
  const results = await Promise.allSettled(shared.map((w) => w.ready()));
  assert.deepEqual(results.map((r) => r.status), Array(5).fill('rejected'), 'NATS not answering: every waiting window fails (503, redelivered)');
  assert.equal(calls, 3, 'one shared check, asked three times (two retries), for five windows');
});

test('near max bytes, publishing waits for a paused sink instead of letting discard: old drop what it has not read', { skip: !natsServerAvailable() && 'nats-server is not installed' }, async (t) => {
  const server = await startNatsServer();
  const nc = await connectNats(server.url);
  t.after(async () => {
    await nc.close();
    await server.destroy();
  });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const total = 200;
  const payload = (i: number) => new TextEncoder().encode(JSON.stringify({ i, pad: 'x'.repeat(1000) }));
  for (const name of ['FC', 'NOFC']) {
    await ensureStream(jsm, { name, subjects: [`${name.toLowerCase()}.>`], maxBytes: 64 * 1024 });
    await jsm.consumers.add(name, { durable_name: 'sink', ack_policy: AckPolicy.Explicit });
  }

  // Without flow control the stream keeps only its newest 64 KiB: the sink never sees the first messages.
  const blind = createAckedPublisher(js, { maxInFlight: 4 });
  for (let i = 0; i < total; i++) await blind.send('nofc.a', payload(i), `nofc-${i}`);
  await blind.flush();
  assert.ok((await jsm.streams.info('NOFC')).state.first_seq > 1, 'discard: old dropped unconsumed messages');

  let waiting = false;
  // Checked before (nearly) every send: a 64 KiB stream leaves a margin of a few messages, where
  // production's 1 GiB leaves 200 MB for what goes out between checks every 250 ms.
  const flow = createFlowControl(watchStreamRoom(jsm, { stream: 'FC', consumer: 'sink', pollMs: 1, highWater: 0.5 }), { onWaiting: (w) => (waiting = w) });
  const publisher = createAckedPublisher(js, { maxInFlight: 4, flowControl: flow });
  let sent = 0;
  const publishing = (async () => {
    for (let i = 0; i < total; i++, sent++) await publisher.send('fc.a', payload(i), `fc-${i}`);
    return publisher.flush();
  })();
  // The sink is paused: publishing stops short of the limit and nothing is discarded.
  const deadline = Date.now() + 10_000;
  while (!waiting && sent < total) {
    assert.ok(Date.now() < deadline, 'publishing started waiting');
    await new Promise((ok) => setTimeout(ok, 20));
  }
  await new Promise((ok) => setTimeout(ok, 200));
  const paused = (await jsm.streams.info('FC')).state;
  assert.ok(sent < total, `publishing waits (sent ${sent})`);
  assert.equal(paused.first_seq, 1, 'nothing discarded while the sink is paused');

  // The sink resumes: every message arrives, in order, and publishing completes.
  const consumer = await js.consumers.get('FC', 'sink');
  const received: number[] = [];
  while (received.length < total) {
    const batch = await consumer.fetch({ max_messages: 20, expires: 1000 });
    for await (const m of batch) {
      received.push((m.json() as { i: number }).i);
      m.ack();
    }
  }
  const counts = await publishing;
  assert.equal(counts.published, total);
  assert.deepEqual(received, Array.from({ length: total }, (_, i) => i));
  assert.ok(flow.waitedMs > 0);
});
