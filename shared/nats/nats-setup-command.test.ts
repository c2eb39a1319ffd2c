import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jetstreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { main } from '../../cli/main.js';
import { parseBytes } from '../../cli/commands/nats-setup.js';
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
  const argv = ['node', 'reindex', '--nats-url', server.url, 'nats-setup', '--duplicate-window', '10m'];
  assert.equal(await main(argv), 0);
  assert.equal(await main(argv), 0);
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info('ACTIVITIES_REINDEX');
  assert.equal(info.config.duplicate_window, nanos(600_000));
  assert.deepEqual(info.config.subjects, ['activity_miloapis_com_reindex.>']);
  assert.equal(info.config.max_bytes, 1024 ** 3);
  // The defaults would lower the duplicate window: refused, exit 1, stream as it was.
  assert.equal(await main(['node', 'reindex', '--nats-url', server.url, 'nats-setup']), 1);
  assert.equal((await jsm.streams.info('ACTIVITIES_REINDEX')).config.duplicate_window, nanos(600_000));
  assert.equal(await main(['node', 'reindex', '--nats-url', server.url, 'nats-setup', '--force']), 0);
  assert.equal((await jsm.streams.info('ACTIVITIES_REINDEX')).config.duplicate_window, nanos(300_000));
});

test('reads sizes in bytes, KiB, MiB and GiB', () => {
  assert.equal(parseBytes('1GiB'), 1024 ** 3);
  assert.equal(parseBytes('512MiB'), 512 * 1024 ** 2);
  assert.equal(parseBytes('1048576'), 1048576);
  assert.equal(parseBytes('lots'), undefined);
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
  assert.equal(parseDuration('7d'), 604_800_000);
  assert.equal(parseDuration('30'), 30_000);
  assert.equal(parseDuration('2 weeks'), undefined);
});
