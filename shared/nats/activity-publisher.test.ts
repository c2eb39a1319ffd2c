import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import type { Activity } from '../api/activity.js';
import { UnavailableError } from '../errors/unavailable-error.js';
import { startNatsServer } from '../../local/nats-server.js';
import { connectNats } from './connect-nats.js';
import { ensureStream } from './ensure-stream.js';
import { createActivityPublisher } from './activity-publisher.js';
import { readStreamMessages } from './read-stream-messages.js';
import { DEFAULT_STREAM } from './stream-config.js';
import { msgIdHeaderBytes } from './row-msg-id.js';

function activity(i: number): Activity {
  return {
    apiVersion: 'activity.miloapis.com/v1alpha1',
    kind: 'Activity',
    metadata: { name: `act-${String(i).padStart(12, '0')}`, creationTimestamp: '2025-01-01T00:00:00Z', labels: {} },
    spec: {
      summary: `alice touched ${i}`,
      changeSource: 'human',
      actor: { type: 'user', name: 'alice' },
      resource: { apiGroup: i % 2 ? 'apps' : '', apiVersion: 'v1', kind: i % 2 ? 'Deployment' : 'Pod', name: `r${i}` },
      tenant: { type: 'Organization', name: 'acme' },
      origin: { type: 'audit', id: `a${i}` },
    },
  };
}

const msgId = (i: number) => `row-${i}-job-1`;

async function setup(t: TestContext) {
  const server = await startNatsServer();
  const nc = await connectNats(server.url, { reconnectTimeWaitMs: 100 });
  t.after(async () => {
    await nc.close();
    await server.destroy();
  });
  await ensureStream(await jetstreamManager(nc), {});
  return { server, nc, js: jetstream(nc) };
}

test('publishes each activity to its subject with the Msg-Id header and counts acks', async (t) => {
  const { nc, js } = await setup(t);
  const publisher = createActivityPublisher(js);
  for (let i = 0; i < 50; i++) await publisher.publish(activity(i), msgId(i));
  assert.deepEqual(await publisher.flush(), { published: 50, duplicates: 0 });
  const stored = await readStreamMessages(nc, DEFAULT_STREAM);
  assert.equal(stored.length, 50);
  assert.equal(stored[0].subject, 'activity_miloapis_com_reindex.Organization.core.Pod');
  assert.equal(stored[1].subject, 'activity_miloapis_com_reindex.Organization.apps.Deployment');
  assert.equal(stored[7].msgId, msgId(7));
  assert.deepEqual(stored[7].data, activity(7));
});

test('publishing the same activities again for the same job stores no duplicates', async (t) => {
  const { nc, js } = await setup(t);
  for (let round = 0; round < 2; round++) {
    const publisher = createActivityPublisher(js);
    for (let i = 0; i < 20; i++) await publisher.publish(activity(i), msgId(i));
    const counts = await publisher.flush();
    assert.deepEqual(counts, round === 0 ? { published: 20, duplicates: 0 } : { published: 0, duplicates: 20 });
  }
  assert.equal((await readStreamMessages(nc, DEFAULT_STREAM)).length, 20);
});

test('keeps many publishes in flight but never more than maxInFlight', async (t) => {
  const { js } = await setup(t);
  let outstanding = 0;
  let peak = 0;
  const counting: Pick<JetStreamClient, 'publish'> = {
    async publish(...args) {
      peak = Math.max(peak, ++outstanding);
      try {
        return await js.publish(...args);
      } finally {
        outstanding--;
      }
    },
  };
  const publisher = createActivityPublisher(counting, { maxInFlight: 8 });
  for (let i = 0; i < 300; i++) await publisher.publish(activity(i), msgId(i));
  assert.equal((await publisher.flush()).published, 300);
  assert.equal(peak, 8);
});

test('retries a publish that times out until the server is back', async (t) => {
  const { server, nc, js } = await setup(t);
  await server.stop();
  const publisher = createActivityPublisher(js, { ackTimeoutMs: 300, retries: 20, minBackoffMs: 100, maxBackoffMs: 300 });
  await publisher.publish(activity(1), msgId(1));
  await server.restart();
  assert.deepEqual(await publisher.flush(), { published: 1, duplicates: 0 });
  assert.equal((await readStreamMessages(nc, DEFAULT_STREAM)).length, 1);
});

test('surfaces UnavailableError from publish and flush when NATS stays down', async (t) => {
  const { server, js } = await setup(t);
  await server.stop();
  const publisher = createActivityPublisher(js, { ackTimeoutMs: 200, retries: 2, minBackoffMs: 50 });
  await publisher.publish(activity(1), msgId(1));
  await assert.rejects(publisher.flush(), UnavailableError);
  await assert.rejects(async () => publisher.publish(activity(2), msgId(2)), /JetStream publish of row-1-job-1/);
});

test('the stream takes a message of exactly its max message size, Msg-Id header included, and refuses one byte more', async (t) => {
  const { nc, js } = await setup(t);
  const jsm = await jetstreamManager(nc);
  const limit = 4096;
  const info = await jsm.streams.info(DEFAULT_STREAM);
  await jsm.streams.update(DEFAULT_STREAM, { ...info.config, max_msg_size: limit });
  const id = msgId(1);
  const fits = new Uint8Array(limit - msgIdHeaderBytes(id)).fill(0x20);
  const ack = await js.publish('activity_miloapis_com_reindex.a.b.c', fits, { msgID: id });
  assert.equal(ack.duplicate, false);
  await assert.rejects(js.publish('activity_miloapis_com_reindex.a.b.c', new Uint8Array(fits.length + 1).fill(0x20), { msgID: msgId(2) }), /maximum/i);
});
