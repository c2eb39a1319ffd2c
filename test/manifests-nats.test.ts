// The stream and consumer files an SRE applies, accepted by a real
// nats-server: the JSON the nats CLI takes is sent as-is (replicas lowered to
// the one node a test has), and the consumer Vector reads through then sees
// each activity once even when a retried window publishes it twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jetstream, jetstreamManager, type ConsumerConfig, type StreamConfig } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';
import { natsServerAvailable, startNatsServer } from '../local/nats-server.js';
import { connectNats } from '../shared/nats/connect-nats.js';
import { DEFAULT_SINK_CONSUMER, streamConfig } from '../shared/nats/stream-config.js';
import { KNATIVE_DIR } from './manifests-load.js';

const read = (file: string) => JSON.parse(readFileSync(join(KNATIVE_DIR, 'nats', file), 'utf8'));

test('nats-server accepts the stream and consumer configs and de-duplicates a re-published activity', { skip: !natsServerAvailable() && 'nats-server is not installed' }, async (t) => {
  const server = await startNatsServer();
  const nc = await connectNats(server.url);
  t.after(async () => {
    await nc.close();
    await server.destroy();
  });
  const jsm = await jetstreamManager(nc);
  const stream: StreamConfig = { ...read('activities-reindex-stream.json'), num_replicas: 1 };
  const info = await jsm.streams.add(stream);
  for (const key of ['subjects', 'storage', 'retention', 'max_age', 'duplicate_window', 'max_msg_size'] as const) {
    assert.deepEqual(info.config[key], stream[key], `the server kept ${key}`);
  }
  const consumer: ConsumerConfig = read('clickhouse-ingest-reindex-consumer.json');
  await jsm.consumers.add(stream.name, consumer);

  const js = jetstream(nc);
  const h = headers();
  h.set('Nats-Msg-Id', 'activity-abc-job-uid-1');
  const subject = 'activity_miloapis_com_reindex.platform.apps.Deployment';
  const first = await js.publish(subject, '{"kind":"Activity"}', { headers: h });
  const again = await js.publish(subject, '{"kind":"Activity"}', { headers: h });
  assert.equal(first.duplicate, false);
  assert.equal(again.duplicate, true, 'the duplicate window drops the retried publish');

  const c = await js.consumers.get(stream.name, consumer.durable_name!);
  assert.equal((await c.info()).num_pending, 1, 'Vector would read the activity once');
  const msg = await c.next({ expires: 2_000 });
  assert.equal(msg?.subject, subject);
  msg?.ack();
});

test('the stream file, the YAML for NACK and nats-setup’s defaults are one stream: the production one', () => {
  const json = read('activities-reindex-stream.json') as StreamConfig;
  const wanted = streamConfig();
  for (const key of Object.keys(wanted) as (keyof StreamConfig)[]) assert.deepEqual(json[key], wanted[key], key);
  const yaml = readFileSync(join(KNATIVE_DIR, 'nats', 'activities-reindex-stream.yaml'), 'utf8');
  for (const line of ['subjects: ["activity_miloapis_com_reindex.>"]', 'discard: old', 'maxAge: 168h', 'maxBytes: 1073741824', 'maxMsgSize: 1048576', 'duplicateWindow: 5m', 'replicas: 1', `durableName: ${DEFAULT_SINK_CONSUMER}`]) {
    assert.ok(yaml.includes(line), line);
  }
});
