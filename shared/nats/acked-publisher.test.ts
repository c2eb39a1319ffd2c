import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import { createAckedPublisher } from './acked-publisher.js';

// JetStream whose acks arrive when the test says so: the publisher's
// waiting is about when acks come back, which a real server decides.
function manualJetStream() {
  const pending: { msgId: string; ack: () => void }[] = [];
  const js: Pick<JetStreamClient, 'publish'> = {
    publish: (_subject, _payload, opts) =>
      new Promise<PubAck>((ok) => {
        pending.push({ msgId: opts!.msgID!, ack: () => ok({ stream: 'S', seq: 1, duplicate: false, domain: '' } as PubAck) });
      }),
  };
  return { js, pending };
}

test('sends without making the caller wait until maxInFlight acks are out', () => {
  const { js, pending } = manualJetStream();
  const publisher = createAckedPublisher(js, { maxInFlight: 4 });
  const bytes = new Uint8Array(1);
  for (let i = 0; i < 4; i++) assert.equal(publisher.send('s', bytes, `m${i}`), undefined);
  assert.ok(publisher.send('s', bytes, 'm4') instanceof Promise);
  assert.deepEqual(pending.map((p) => p.msgId), ['m0', 'm1', 'm2', 'm3']);
});

test('once full, resumes when half the acks are back, so the next messages leave together', async () => {
  const { js, pending } = manualJetStream();
  const publisher = createAckedPublisher(js, { maxInFlight: 4 });
  const bytes = new Uint8Array(1);
  for (let i = 0; i < 4; i++) publisher.send('s', bytes, `m${i}`);
  let resumed = false;
  const waiting = publisher.send('s', bytes, 'm4')!.then(() => (resumed = true));
  pending[0].ack();
  await tick();
  assert.equal(resumed, false, 'one ack back of four is not enough room');
  pending[1].ack();
  await waiting;
  assert.deepEqual(pending.map((p) => p.msgId), ['m0', 'm1', 'm2', 'm3', 'm4']);
  for (const p of pending.slice(2)) p.ack();
  assert.deepEqual(await publisher.flush(), { published: 5, duplicates: 0 });
});
