import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jetstreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { startNatsServer } from '../../local/nats-server.js';
import { UnavailableError } from '../errors/unavailable-error.js';
import { connectNats } from './connect-nats.js';
import { assertStreamExists, ensureStream, StreamLoweringError } from './ensure-stream.js';
import { DEFAULT_STREAM, MAX_AGE_MS } from './stream-config.js';

async function setup(t: import('node:test').TestContext) {
  const server = await startNatsServer();
  const nc = await connectNats(server.url);
  t.after(async () => {
    await nc.close();
    await server.destroy();
  });
  return jetstreamManager(nc);
}

test('creates the production ACTIVITIES_REINDEX stream of DESIGN.md §4.3 by default', async (t) => {
  const jsm = await setup(t);
  const result = await ensureStream(jsm);
  assert.equal(result.action, 'created');
  const { config } = await jsm.streams.info(DEFAULT_STREAM);
  assert.deepEqual(
    {
      subjects: config.subjects, storage: config.storage, retention: config.retention, discard: config.discard, max_age: config.max_age,
      max_bytes: config.max_bytes, max_msg_size: config.max_msg_size, duplicate_window: config.duplicate_window, num_replicas: config.num_replicas,
    },
    {
      subjects: ['activity_miloapis_com_reindex.>'], storage: 'file', retention: 'limits', discard: 'old', max_age: nanos(7 * 86_400_000),
      max_bytes: 1024 ** 3, max_msg_size: 1024 ** 2, duplicate_window: nanos(5 * 60_000), num_replicas: 1,
    },
  );
  assert.equal(MAX_AGE_MS, 7 * 86_400_000);
});

test('never lowers an existing stream: names each lowered field, changes nothing, unless forced', async (t) => {
  const jsm = await setup(t);
  await ensureStream(jsm, { name: 'BIG', subjects: ['a.>', 'b.>'], maxBytes: 4 * 1024 ** 3, duplicateWindowMs: 600_000 });
  const before = (await jsm.streams.info('BIG')).config;
  await assert.rejects(ensureStream(jsm, { name: 'BIG', subjects: ['a.>'] }), (err: Error) => {
    assert.ok(err instanceof StreamLoweringError);
    assert.equal(
      err.message,
      'stream BIG exists with subjects ["a.>","b.>"] → ["a.>"] (lower), max_bytes 4294967296 → 1073741824 (lower), ' +
        'duplicate_window 600000000000 → 300000000000 (lower): refusing to lower an existing stream (changed nothing; --force to apply)',
    );
    return true;
  });
  assert.deepEqual((await jsm.streams.info('BIG')).config, before);
  // Raising a limit is an update, not a lowering.
  const raised = await ensureStream(jsm, { name: 'BIG', subjects: ['a.>', 'b.>'], maxBytes: 8 * 1024 ** 3, duplicateWindowMs: 600_000 });
  assert.equal(raised.action, 'updated');
  assert.deepEqual(raised.changes.map((c) => [c.field, c.lowers]), [['max_bytes', false]]);
  const forced = await ensureStream(jsm, { name: 'BIG', subjects: ['a.>'] }, true);
  assert.equal(forced.action, 'updated');
  assert.equal((await jsm.streams.info('BIG')).config.max_bytes, 1024 ** 3);
});

test('leaves an up-to-date stream unchanged and updates one that differs', async (t) => {
  const jsm = await setup(t);
  await ensureStream(jsm, { name: 'S', subjects: ['a.>'] });
  assert.equal((await ensureStream(jsm, { name: 'S', subjects: ['a.>'] })).action, 'unchanged');
  const updated = await ensureStream(jsm, { name: 'S', subjects: ['a.>', 'b.>'], duplicateWindowMs: 600_000 });
  assert.equal(updated.action, 'updated');
  const info = await jsm.streams.info('S');
  assert.deepEqual(info.config.subjects, ['a.>', 'b.>']);
  assert.equal(info.config.duplicate_window, nanos(600_000));
  assert.equal((await ensureStream(jsm, { name: 'S', subjects: ['a.>', 'b.>'], duplicateWindowMs: 600_000 })).action, 'unchanged');
});

test('assertStreamExists names the missing stream and how to create it', async (t) => {
  const jsm = await setup(t);
  await assert.rejects(assertStreamExists(jsm, 'NOPE'), (err: Error) => {
    assert.ok(err instanceof UnavailableError);
    assert.match(err.message, /NOPE does not exist.*reindex nats-setup/);
    return true;
  });
  await ensureStream(jsm, { name: 'NOPE' });
  assert.equal((await assertStreamExists(jsm, 'NOPE')).config.name, 'NOPE');
});
