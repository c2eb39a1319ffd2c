import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { clickHouseOptionsFromEnv, createClickHouseClient } from './create-clickhouse-client.js';

const dataDir = mkdtempSync(join(tmpdir(), 'reindex-client-'));

test('reads the ClickHouse options from the environment, defaulting the data directory', () => {
  assert.deepEqual(clickHouseOptionsFromEnv({}), { url: undefined, user: undefined, password: undefined, database: undefined, dataDir: './.reindex' });
  assert.deepEqual(
    clickHouseOptionsFromEnv({ CLICKHOUSE_URL: 'http://ch:8123', CLICKHOUSE_USER: 'u', CLICKHOUSE_PASSWORD: 'p', CLICKHOUSE_DATABASE: 'audit', REINDEX_DATA_DIR: '/data' }),
    { url: 'http://ch:8123', user: 'u', password: 'p', database: 'audit', dataDir: '/data' },
  );
});

test('shares one embedded engine per process: closing one handle leaves the others working', async () => {
  const a = createClickHouseClient({ dataDir });
  const b = createClickHouseClient({ dataDir: resolve(dataDir) });
  await a.command({ query: 'CREATE TABLE IF NOT EXISTS default.shared (x UInt8) ENGINE = MergeTree ORDER BY x' });
  await a.insert({ table: 'default.shared', values: [{ x: 7 }], format: 'JSONEachRow' });
  await a.close();
  await a.close(); // a second close of the same handle must not release another's reference
  const rows = await (await b.query({ query: 'SELECT x FROM default.shared', format: 'JSONEachRow' })).json<{ x: number }>();
  assert.deepEqual(rows, [{ x: 7 }]);
  const c = createClickHouseClient({ dataDir });
  await b.close();
  assert.equal((await c.ping()).success, true);
  await c.close();
});

test('refuses a second data directory while the engine is bound to the first, naming both', async () => {
  const held = createClickHouseClient({ dataDir });
  const other = mkdtempSync(join(tmpdir(), 'reindex-client-other-'));
  assert.throws(() => createClickHouseClient({ dataDir: other }), (err: Error) =>
    err.message.includes(resolve(dataDir)) && err.message.includes(other) && /CLICKHOUSE_URL/.test(err.message));
  await held.close();
});

test('with a URL, talks HTTP to that server with the given user, password and database', async () => {
  const seen: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    seen.push(req);
    req.resume();
    req.on('end', () => {
      res.setHeader('Content-Type', 'application/x-ndjson');
      res.setHeader('X-ClickHouse-Format', 'JSONEachRow');
      res.end('{"answer":42}\n');
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  const client = createClickHouseClient({ url: `http://127.0.0.1:${port}`, user: 'reindex', password: 's3cret', database: 'audit', dataDir });
  try {
    const rows = await (await client.query({ query: 'SELECT 42 AS answer', format: 'JSONEachRow' })).json<{ answer: number }>();
    assert.deepEqual(rows, [{ answer: 42 }]);
    const req = seen[0];
    const auth = `${req.headers['x-clickhouse-user'] ?? ''}:${req.headers['x-clickhouse-key'] ?? ''}${req.headers.authorization ?? ''}`;
    assert.ok(auth.includes('reindex') || auth.includes(Buffer.from('reindex:s3cret').toString('base64')), `credentials sent: ${auth}`);
    assert.match(req.url ?? '', /database=audit/);
  } finally {
    await client.close();
    server.close();
  }
});
