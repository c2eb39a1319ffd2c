// The local sink against a real nats-server and the embedded ClickHouse: a
// message that is not an activity must not hold the rest of its batch back.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Activity } from '../shared/api/activity.js';
import { runMigrations } from '../migrations/run-migrations.js';
import { createClickHouseClient } from '../shared/clickhouse/create-clickhouse-client.js';
import { DEFAULT_TABLES } from '../shared/clickhouse/source-tables.js';
import { connectNats } from '../shared/nats/connect-nats.js';
import { ensureStream } from '../shared/nats/ensure-stream.js';
import { DEFAULT_SUBJECT_PREFIX } from '../shared/nats/activity-subject.js';
import { DEFAULT_STREAM } from '../shared/nats/stream-config.js';
import { silentLogger } from '../shared/log.js';
import { startActivitySink } from './activity-sink.js';
import { startNatsServer, type NatsServerHandle } from './nats-server.js';

const dir = mkdtempSync(join(tmpdir(), 'reindex-activity-sink-'));
const clickhouse = createClickHouseClient({ dataDir: join(dir, 'chdb') });
let nats: NatsServerHandle;
let nc: NatsConnection;

before(async () => {
  await runMigrations(clickhouse);
  nats = await startNatsServer({ storeDir: join(dir, 'nats') });
  nc = await connectNats(nats.url);
  await ensureStream(await jetstreamManager(nc));
});

after(async () => {
  await nc?.close();
  await nats?.destroy();
  await clickhouse.close();
  rmSync(dir, { recursive: true, force: true });
});

// Recent enough that the table's TTL keeps it.
const when = new Date(Date.now() - 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');

function activity(originId: string): Activity {
  return {
    kind: 'Activity',
    apiVersion: 'activity.miloapis.com/v1alpha1',
    metadata: { name: `act-${originId}`, namespace: 'web', creationTimestamp: when },
    spec: {
      summary: `alice changed ${originId}`,
      changeSource: 'human',
      actor: { type: 'user', name: 'alice@example.com', uid: 'u-alice' },
      resource: { apiGroup: 'apps', apiVersion: 'v1', kind: 'Deployment', name: 'web', namespace: 'web', uid: 'dep-uid' },
      tenant: { type: 'Project', name: 'aurora' },
      origin: { type: 'audit', id: originId },
    },
  } as Activity;
}

test('counts messages that are not activities, never inserts them, and inserts the rest of their batch', async (t) => {
  const sink = await startActivitySink({ nc, clickhouse, tables: DEFAULT_TABLES, stream: DEFAULT_STREAM, subjects: `${DEFAULT_SUBJECT_PREFIX}.>`, consumer: 'sink-test', log: silentLogger });
  t.after(() => sink.stop());
  const js = jetstream(nc);
  const subject = `${DEFAULT_SUBJECT_PREFIX}.test`;
  // All published before the first fetch can return, so the bad ones share a batch with the good.
  await js.publish(subject, JSON.stringify(activity('sink-good-1')));
  await js.publish(subject, 'this is not json');
  await js.publish(subject, '42');
  await js.publish(subject, JSON.stringify(activity('sink-good-2')));

  await sink.drain(20_000);
  assert.equal(sink.inserted, 2);
  assert.equal(sink.rejected, 2);
  const rs = await clickhouse.query({ query: "SELECT origin_id FROM audit.activities WHERE origin_id LIKE 'sink-good-%' ORDER BY origin_id", format: 'JSONEachRow' });
  assert.deepEqual(await rs.json(), [{ origin_id: 'sink-good-1' }, { origin_id: 'sink-good-2' }]);
});

test('retries a failed insert in place and acknowledges its batch only once it is in ClickHouse', async (t) => {
  // ClickHouse refuses the first two inserts: the batch must stay unacknowledged
  // (AckPolicy.All would let any later ack cover it) until the third lands.
  let refusals = 2;
  const flaky = new Proxy(clickhouse, {
    get(target, prop) {
      if (prop === 'insert') {
        return (params: Parameters<typeof clickhouse.insert>[0]) => (refusals-- > 0 ? Promise.reject(new Error('ClickHouse is away')) : target.insert(params));
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const sink = await startActivitySink({ nc, clickhouse: flaky, tables: DEFAULT_TABLES, stream: DEFAULT_STREAM, subjects: `${DEFAULT_SUBJECT_PREFIX}.retry`, consumer: 'sink-retry-test', log: silentLogger });
  t.after(() => sink.stop());
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  for (const id of ['sink-retry-1', 'sink-retry-2', 'sink-retry-3']) await js.publish(`${DEFAULT_SUBJECT_PREFIX}.retry`, JSON.stringify(activity(id)));

  // While the inserts fail, the delivered messages stay pending acknowledgement.
  const deadline = Date.now() + 10_000;
  let sawPending = false;
  while (refusals >= 0 && Date.now() < deadline) {
    const info = await jsm.consumers.info(DEFAULT_STREAM, 'sink-retry-test');
    if (info.num_ack_pending > 0 && sink.inserted === 0) sawPending = true;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(sawPending, 'the batch was acknowledged before its insert landed');

  await sink.drain(20_000);
  assert.equal(sink.inserted, 3);
  const rs = await clickhouse.query({ query: "SELECT count() AS n FROM audit.activities FINAL WHERE origin_id LIKE 'sink-retry-%'", format: 'JSONEachRow' });
  assert.deepEqual(await rs.json(), [{ n: 3 }]);
});
