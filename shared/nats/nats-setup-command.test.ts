import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jetstreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { main } from '../../cli/main.js';
import { startNatsServer } from '../../local/nats-server.js';
import { connectNats } from './connect-nats.js';
import { parseDuration } from './parse-duration.js';

test('reindex nats-setup creates the stream and is a no-op the second time', async (t) => {
  const server = await startNatsServer();
  const nc = await connectNats(server.url);
  t.after(async () => {
    await nc.close();
    await server.destroy();
  });
  const argv = ['node', 'reindex', '--nats-url', server.url, 'nats-setup', '--duplicate-window', '2m'];
  assert.equal(await main(argv), 0);
  assert.equal(await main(argv), 0);
  const info = await (await jetstreamManager(nc)).streams.info('ACTIVITIES_REINDEX');
  assert.equal(info.config.duplicate_window, nanos(120_000));
  assert.deepEqual(info.config.subjects, ['activities.reindex.>']);
});

test('reindex nats-setup rejects a bad duplicate window as usage (exit 2)', async () => {
  assert.equal(await main(['node', 'reindex', 'nats-setup', '--duplicate-window', 'soon']), 2);
  assert.equal(await main(['node', 'reindex', 'nats-setup', '--replicas', '9']), 2);
});

test('reads durations in ms, s, m and h', () => {
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('90s'), 90_000);
  assert.equal(parseDuration('2m'), 120_000);
  assert.equal(parseDuration('1h'), 3_600_000);
  assert.equal(parseDuration('30'), 30_000);
  assert.equal(parseDuration('2 weeks'), undefined);
});
