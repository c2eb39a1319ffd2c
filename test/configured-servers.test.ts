// `reindex run` against servers someone else prepared (--nats-url, and a
// ClickHouse whose tables already exist) creates, edits and drops nothing
// there: the stream's config, its consumers and the tables are exactly as
// they were after the run. Without what it needs it stops in one line
// naming what is missing and the command that creates it.
//
// chDB cannot serve HTTP, so `--clickhouse-url` itself is not exercised: the
// ClickHouse half runs prepareClickHouse (what `run` calls first) as it runs
// for a configured server, on a chDB database prepared beforehand, and the
// whole `run` on that engine.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { jetstreamManager, type ConsumerConfig, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { main } from '../cli/main.js';
import { prepareClickHouse } from '../cli/prepare-clickhouse.js';
import { natsServerAvailable, startNatsServer, type NatsServerHandle } from '../local/nats-server.js';
import { runMigrations } from '../migrations/run-migrations.js';
import { createClickHouseClient } from '../shared/clickhouse/create-clickhouse-client.js';
import { DEFAULT_TABLES } from '../shared/clickhouse/source-tables.js';
import { loadDemoData } from '../shared/demo/load-demo-data.js';
import { connectNats } from '../shared/nats/connect-nats.js';
import { ensureStream } from '../shared/nats/ensure-stream.js';
import { DEFAULT_SINK_CONSUMER, DEFAULT_STREAM } from '../shared/nats/stream-config.js';
import { tableShapes } from './helpers/production-layout.js';
import { KNATIVE_DIR } from './manifests-load.js';
import { readFileSync } from 'node:fs';

const ROOT = new URL('..', import.meta.url).pathname;
const POLICIES = join(ROOT, 'test/fixtures/policies');
const JOB = join(ROOT, 'test/fixtures/jobs/last-two-days.yaml');
const dataDir = mkdtempSync(join(tmpdir(), 'reindex-configured-'));
let client: ClickHouseClient;
let server: NatsServerHandle;
let nc: NatsConnection;
let jsm: JetStreamManager;

before(async () => {
  client = createClickHouseClient({ dataDir });
  await runMigrations(client);
  await loadDemoData(client, DEFAULT_TABLES, { events: 200, days: 1, now: new Date(Date.now() - 60_000), seed: 5 });
  server = await startNatsServer();
  nc = await connectNats(server.url);
  jsm = await jetstreamManager(nc);
});
after(async () => {
  await nc?.close();
  await server?.destroy();
  await client?.close();
});

async function natsState() {
  const { config } = await jsm.streams.info(DEFAULT_STREAM);
  const consumers = [];
  for await (const c of jsm.consumers.list(DEFAULT_STREAM)) consumers.push({ name: c.name, config: c.config });
  return { config, consumers };
}

test('a run against a prepared NATS and ClickHouse leaves stream config, consumers and tables as they were', { skip: !natsServerAvailable() && 'nats-server is not installed' }, async () => {
  // Prepared as the Activity system deploys them: the production stream and Vector's durable consumer.
  await ensureStream(jsm);
  const consumer: ConsumerConfig = JSON.parse(readFileSync(join(KNATIVE_DIR, 'nats', 'clickhouse-ingest-reindex-consumer.json'), 'utf8'));
  await jsm.consumers.add(DEFAULT_STREAM, consumer);
  const nats = await natsState();
  const tables = await tableShapes(client);
  assert.deepEqual(nats.consumers.map((c) => c.name), [DEFAULT_SINK_CONSUMER]);

  await prepareClickHouse(client, DEFAULT_TABLES, { configured: true, setup: false });
  const code = await main(['node', 'reindex', '--data-dir', dataDir, '--nats-url', server.url, 'run', '-f', JOB, '--policies', POLICIES, '--json']);
  assert.equal(code, 0);

  assert.deepEqual(await natsState(), nats, 'stream config and consumers unchanged');
  assert.deepEqual(await tableShapes(client), tables, 'no table created, altered or re-created');
  const info = await jsm.streams.info(DEFAULT_STREAM);
  assert.ok(info.state.messages > 0, 'the run published into the production stream');
});

test('without the stream it stops in one line naming it and the command that creates it, and creates nothing', { skip: !natsServerAvailable() && 'nats-server is not installed' }, async () => {
  const bare = await startNatsServer();
  const bareNc = await connectNats(bare.url);
  try {
    let stderr = '';
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += chunk.toString()), true)) as typeof process.stderr.write;
    let code: number;
    try {
      code = await main(['node', 'reindex', '--data-dir', dataDir, '--nats-url', bare.url, 'run', '-f', JOB, '--policies', POLICIES]);
    } finally {
      process.stderr.write = write;
    }
    assert.equal(code, 1);
    const lines = stderr.trim().split('\n').filter((l) => l.startsWith('reindex:'));
    assert.equal(lines.length, 1, stderr);
    assert.match(lines[0]!, /JetStream stream ACTIVITIES_REINDEX does not exist; create it with `reindex nats-setup --stream ACTIVITIES_REINDEX`, or run with --setup/);
    const streams = [];
    for await (const s of (await jetstreamManager(bareNc)).streams.list()) streams.push(s.config.name);
    assert.deepEqual(streams, []);
  } finally {
    await bareNc.close();
    await bare.destroy();
  }
});

test('a configured ClickHouse without the tables is read, never migrated: one line naming the table and reindex migrate', async () => {
  const missing = { ...DEFAULT_TABLES, auditLogs: 'elsewhere.audit_logs' };
  await assert.rejects(
    prepareClickHouse(client, missing, { configured: true, setup: false }),
    /^SourceLayoutError: audit log table elsewhere\.audit_logs does not exist \(create it with `reindex migrate`, or name another table\); or run with --setup$/,
  );
  const rs = await client.query({ query: "SELECT count() AS n FROM system.databases WHERE name = 'elsewhere'", format: 'JSONEachRow' });
  assert.deepEqual(await rs.json(), [{ n: 0 }]);
  await assert.rejects(prepareClickHouse(client, { ...DEFAULT_TABLES, activities: 'audit.sink' }, { configured: true, setup: false }), /activities table audit\.sink does not exist/);
});
