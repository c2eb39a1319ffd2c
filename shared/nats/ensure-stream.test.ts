import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jetstreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { startNatsServer } from '../../local/nats-server.js';
import { UnavailableError } from '../errors/unavailable-error.js';
import { connectNats } from './connect-nats.js';
import { assertStreamExists, ensureStream } from './ensure-stream.js';
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

test('creates ACTIVITIES_REINDEX with file storage, 24h max age and the duplicate window', async (t) => {
  const jsm = await setup(t);
  const result = await ensureStream(jsm, { duplicateWindowMs: 120_000 });
  assert.equal(result.action, 'created');
  const info = await jsm.streams.info(DEFAULT_STREAM);
  assert.deepEqual(info.config.subjects, ['activities.reindex.>']);
  assert.equal(info.config.storage, 'file');
  assert.equal(info.config.max_age, nanos(MAX_AGE_MS));
  assert.equal(info.config.duplicate_window, nanos(120_000));
  assert.equal(info.config.num_replicas, 1);
});

test('leaves an up-to-date stream unchanged and updates one that differs', async (t) => {
  const jsm = await setup(t);
  await ensureStream(jsm, { name: 'S', subjects: ['a.>'] });
  assert.equal((await ensureStream(jsm, { name: 'S', subjects: ['a.>'] })).action, 'unchanged');
  const updated = await ensureStream(jsm, { name: 'S', subjects: ['a.>', 'b.>'], duplicateWindowMs: 60_000 });
  assert.equal(updated.action, 'updated');
  const info = await jsm.streams.info('S');
  assert.deepEqual(info.config.subjects, ['a.>', 'b.>']);
  assert.equal(info.config.duplicate_window, nanos(60_000));
  assert.equal((await ensureStream(jsm, { name: 'S', subjects: ['a.>', 'b.>'], duplicateWindowMs: 60_000 })).action, 'unchanged');
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
