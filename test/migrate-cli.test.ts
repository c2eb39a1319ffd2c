// `reindex migrate` as an operator types it (issue 13, DESIGN.md §4.4): the
// real CLI in its own process on an embedded data directory. It says what
// the database is and what it will do; it applies only to an empty database
// or its own layout, keeping every row of a table it rebuilds; a database
// laid out by the Activity system, or one nobody vouches for, it leaves
// exactly as it is and says so. (migrations/run-migrations.test.ts covers
// the runner's rules one by one; this is what the command prints and does.)
// This process and the CLI open the data directory in turn, never both at
// once: chDB binds a directory to one process.
import { after, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { createClickHouseClient } from '../shared/clickhouse/create-clickhouse-client.js';
import { createProductionLayout, tableShapes } from './helpers/production-layout.js';

const ROOT = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'reindex-migrate-cli-'));
const dataDir = join(dir, 'data');
after(() => rmSync(dir, { recursive: true, force: true }));

/** The engine on the data directory for `use`, closed again before the CLI opens it. */
async function withClickHouse<T>(use: (client: ClickHouseClient) => Promise<T>): Promise<T> {
  const client = createClickHouseClient({ dataDir });
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}

async function rows<T>(client: ClickHouseClient, query: string): Promise<T[]> {
  return (await client.query({ query, format: 'JSONEachRow' })).json<T>();
}

/** `reindex --data-dir <dir> migrate`, with no server, NATS or data dir inherited from the shell. */
function migrate(): Promise<{ code: number; stdout: string[]; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['CLICKHOUSE_URL', 'NATS_URL', 'REINDEX_DATA_DIR']) delete env[name];
  return new Promise((resolve) => {
    execFile(process.execPath, [join(ROOT, 'bin/reindex.js'), '--data-dir', dataDir, 'migrate'], { cwd: dir, env }, (err, stdout, stderr) => {
      const code = err ? Number((err as { code?: number }).code ?? 1) : 0;
      resolve({ code, stdout: stdout.trimEnd().split('\n'), stderr });
    });
  });
}

// Each test lays the audit database out afresh.
beforeEach(() => withClickHouse((c) => c.command({ query: 'DROP DATABASE IF EXISTS audit SYNC' })));

test('on a database holding only an old-layout audit.activities it says what it will do, applies it, keeps every row, and then has nothing to do', async () => {
  // The Activity system's first activities table (its 002): keyed by resource uid, no reindex_version.
  const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const stored = Array.from({ length: 30 }, (_, i) =>
    JSON.stringify({
      metadata: { name: `act-${i}`, creationTimestamp: `${day}T00:00:${String(i).padStart(2, '0')}Z` },
      spec: { summary: `s${i}`, origin: { type: 'audit', id: `o-${i}` }, tenant: { type: 'project', name: 'p' }, resource: { uid: `r-${i}` } },
    }),
  );
  await withClickHouse(async (c) => {
    await c.command({ query: 'CREATE DATABASE audit' });
    await c.command({
      query: `CREATE TABLE audit.activities (activity_json String,
                timestamp DateTime64(3) MATERIALIZED parseDateTime64BestEffort(JSONExtractString(activity_json, 'metadata', 'creationTimestamp')),
                resource_uid String MATERIALIZED JSONExtractString(activity_json, 'spec', 'resource', 'uid'))
              ENGINE = ReplacingMergeTree ORDER BY (timestamp, resource_uid)`,
    });
    await c.insert({ table: 'audit.activities', values: stored.map((activity_json) => ({ activity_json })), format: 'JSONEachRow' });
  });

  const first = await migrate();
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(first.stdout, [
    'database: no ledger and no source tables',
    'will apply: 001_audit_logs.sql, 002_k8s_events.sql, 005_activities_reindex_support.sql',
    'applied 001_audit_logs.sql',
    'applied 002_k8s_events.sql',
    'applied 005_activities_reindex_support.sql',
    'rebuilt audit.activities in the new layout by copy (30 rows, counts verified); the old table is kept as audit.activities_before_005',
    '3 applied, 0 already applied',
  ]);
  const shapes = await withClickHouse(async (c) => {
    const now = await rows<{ activity_json: string; origin_id: string }>(c, 'SELECT activity_json, origin_id FROM audit.activities');
    assert.deepEqual(now.map((r) => r.activity_json).sort(), [...stored].sort(), 'every row, as it was');
    assert.equal(now.filter((r) => r.origin_id.startsWith('o-')).length, stored.length, 'in the new layout (origin_id)');
    assert.deepEqual(await rows(c, 'SELECT count() AS n FROM audit.activities_before_005'), [{ n: stored.length }]);
    return tableShapes(c);
  });
  assert.deepEqual(Object.keys(shapes), ['activities', 'activities_before_005', 'audit_logs', 'k8s_events', 'reindex_schema_migrations']);

  const second = await migrate();
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(second.stdout, [
    'database: laid out by reindex migrate (ledger audit.reindex_schema_migrations)',
    'nothing to apply',
    '0 applied, 3 already applied',
  ]);
  assert.deepEqual(await withClickHouse((c) => tableShapes(c)), shapes, 'nothing changed');
});

const COUNTS = 'SELECT (SELECT count() FROM audit.activities) AS activities, (SELECT count() FROM audit.audit_logs) AS logs';

test('on a database laid out by the Activity system it changes nothing and says so', async () => {
  const before = await withClickHouse(async (c) => {
    await createProductionLayout(c);
    await c.insert({ table: 'audit.activities', values: [{ activity_json: '{"metadata":{"name":"live"}}' }], format: 'JSONEachRow' });
    // Recent: the layout's TTL would drop an old row on its own.
    const at = new Date(Date.now() - 3_600_000).toISOString();
    await c.insert({ table: 'audit.audit_logs', values: [{ event_json: JSON.stringify({ auditID: '00000000-0000-4000-8000-000000000001', requestReceivedTimestamp: at }) }], format: 'JSONEachRow' });
    return { shapes: await tableShapes(c), ledger: await rows(c, 'SELECT * FROM audit.schema_migrations ORDER BY version'), counts: await rows(c, COUNTS) };
  });
  assert.equal(before.ledger.length, 9);
  assert.deepEqual(before.counts, [{ activities: 1, logs: 1 }]);

  const r = await migrate();
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout, [
    "database: laid out by the Activity system's migrations (its ledger audit.schema_migrations lists 1, 2, 3, 4, 5, 6, 7, 8, 9)",
    'changing nothing: reindex migrate only creates the embedded layout in an empty database or one it laid out',
  ]);
  await withClickHouse(async (c) => {
    assert.deepEqual(await tableShapes(c), before.shapes, 'no table added, rebuilt or dropped');
    assert.deepEqual(await rows(c, 'SELECT * FROM audit.schema_migrations ORDER BY version'), before.ledger, 'its ledger as it was');
    assert.deepEqual(await rows(c, COUNTS), before.counts, 'every row kept');
  });
});

test('on a database whose tables no ledger vouches for it changes nothing and exits 1', async () => {
  // Our source tables, made by someone else, holding rows.
  const before = await withClickHouse(async (c) => {
    await c.command({ query: 'CREATE DATABASE audit' });
    await c.command({ query: 'CREATE TABLE audit.audit_logs (event_json String) ENGINE = MergeTree ORDER BY tuple()' });
    await c.insert({ table: 'audit.audit_logs', values: [{ event_json: '{}' }], format: 'JSONEachRow' });
    return tableShapes(c);
  });
  const r = await migrate();
  assert.equal(r.code, 1, r.stderr);
  assert.deepEqual(r.stdout, [
    'database: audit.audit_logs exist but no ledger says who created them',
    'changing nothing: reindex migrate only creates the embedded layout in an empty database or one it laid out',
  ]);
  await withClickHouse(async (c) => {
    assert.deepEqual(await tableShapes(c), before);
    assert.deepEqual(await rows(c, 'SELECT count() AS n FROM audit.audit_logs'), [{ n: 1 }]);
  });
});
