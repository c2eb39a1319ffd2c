import { after, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClickHouseClient } from '../shared/clickhouse/create-clickhouse-client.js';
import { createProductionLayout, tableShapes } from '../test/helpers/production-layout.js';
import { LEDGER, planMigrations, runMigrations } from './run-migrations.js';

const client = createClickHouseClient({ dataDir: mkdtempSync(join(tmpdir(), 'reindex-migrations-')) });
after(() => client.close());
const here = fileURLToPath(new URL('.', import.meta.url));

async function rows<T>(query: string): Promise<T[]> {
  return (await client.query({ query, format: 'JSONEachRow' })).json<T>();
}

// Every test starts from an empty engine: the runner's verdict depends on what is there.
beforeEach(() => client.command({ query: 'DROP DATABASE IF EXISTS audit SYNC' }));

test('applies every migration on an empty engine, then has nothing left to do', async () => {
  assert.equal((await planMigrations(client)).kind, 'empty');
  const first = await runMigrations(client);
  assert.deepEqual(first.applied, ['001_audit_logs.sql', '002_k8s_events.sql', '005_activities_reindex_support.sql']);
  assert.deepEqual(first.alreadyApplied, []);
  const second = await runMigrations(client);
  assert.deepEqual(second.applied, []);
  assert.deepEqual(second.alreadyApplied, first.applied);
  const ledger = await rows<{ name: string; checksum: string }>(`SELECT name, checksum FROM ${LEDGER} ORDER BY version`);
  assert.deepEqual(ledger.map((r) => r.name), first.applied);
  assert.match(ledger[0].checksum, /^[0-9a-f]{64}$/);
});

test('refuses to run when an applied migration file has changed, naming the file', async () => {
  await runMigrations(client);
  const dir = mkdtempSync(join(tmpdir(), 'reindex-migrations-files-'));
  cpSync(here, dir, { recursive: true, filter: (src) => !src.endsWith('.ts') });
  const file = join(dir, '002_k8s_events.sql');
  writeFileSync(file, readFileSync(file, 'utf8').replace('-- Migration: 002_k8s_events', '-- edited'));
  await assert.rejects(runMigrations(client, { dir }), /Migration 002_k8s_events\.sql was changed after it was applied/);
});

test('applies a new migration added after the others, and only that one', async () => {
  await runMigrations(client);
  const dir = mkdtempSync(join(tmpdir(), 'reindex-migrations-files-'));
  cpSync(here, dir, { recursive: true, filter: (src) => !src.endsWith('.ts') });
  writeFileSync(join(dir, '900_extra.sql'), 'CREATE TABLE audit.extra {{ON_CLUSTER}} (x UInt8) ENGINE = {{REPLICATED}}MergeTree ORDER BY x;');
  const result = await runMigrations(client, { dir });
  assert.deepEqual(result.applied, ['900_extra.sql']);
  assert.equal(result.alreadyApplied.length, 3);
});

test('creates the activities table with the engine, sorting key, TTL and projections of the design', async () => {
  await runMigrations(client);
  const [table] = await rows<{ engine: string; engine_full: string; sorting_key: string; primary_key: string }>(
    "SELECT engine, engine_full, sorting_key, primary_key FROM system.tables WHERE database = 'audit' AND name = 'activities'",
  );
  assert.equal(table.engine, 'ReplacingMergeTree');
  assert.match(table.engine_full, /^ReplacingMergeTree\(reindex_version\) PARTITION BY toYYYYMMDD\(timestamp\)/);
  assert.equal(table.sorting_key, 'tenant_type, tenant_name, timestamp, origin_id');
  assert.equal(table.primary_key, 'tenant_type, tenant_name, timestamp, origin_id');
  assert.match(table.engine_full, /TTL timestamp \+ toIntervalDay\(60\)/);
  const [version] = await rows<{ type: string; default_kind: string }>(
    "SELECT type, default_kind FROM system.columns WHERE database = 'audit' AND table = 'activities' AND name = 'reindex_version'",
  );
  assert.deepEqual(version, { type: 'DateTime64(3)', default_kind: 'DEFAULT' });
  const [ddl] = await rows<{ statement: string }>('SHOW CREATE TABLE audit.activities');
  assert.match(ddl.statement, /PROJECTION api_group_query_projection/);
  assert.match(ddl.statement, /PROJECTION actor_query_projection/);
  assert.match(ddl.statement, /INDEX idx_summary_search summary TYPE text/);
});

test('source tables sort by the reader cursor (timestamp, id)', async () => {
  await runMigrations(client);
  const tables = await rows<{ name: string; sorting_key: string }>(
    "SELECT name, sorting_key FROM system.tables WHERE database = 'audit' AND name IN ('audit_logs', 'k8s_events') ORDER BY name",
  );
  assert.deepEqual(tables, [
    { name: 'audit_logs', sorting_key: 'timestamp, audit_id' },
    { name: 'k8s_events', sorting_key: 'timestamp, event_uid' },
  ]);
});

test('changes nothing in a database laid out by the Activity system, and says so', async () => {
  await createProductionLayout(client);
  await client.insert({ table: 'audit.activities', values: [{ activity_json: '{"metadata":{"name":"live"}}' }], format: 'JSONEachRow' });
  const before = await tableShapes(client);
  const result = await runMigrations(client);
  assert.equal(result.kind, 'activity-system');
  assert.match(result.reason, /Activity system's migrations \(its ledger audit\.schema_migrations lists 1, 2, 3, 4, 5, 6, 7, 8, 9\)/);
  assert.deepEqual(result.applied, []);
  assert.deepEqual(await tableShapes(client), before);
  assert.deepEqual(await rows('SELECT count() AS n FROM audit.activities'), [{ n: 1 }]);
  // Recognised by its tables too, without its ledger.
  await client.command({ query: 'DROP TABLE audit.schema_migrations SYNC' });
  const withoutLedger = await runMigrations(client);
  assert.equal(withoutLedger.kind, 'activity-system');
  assert.deepEqual(Object.keys(await tableShapes(client)), Object.keys(before).filter((t) => t !== 'schema_migrations'));
});

test('keeps every row of an old-layout audit.activities, in the new layout, and the old table beside it', async () => {
  await client.command({ query: 'CREATE DATABASE audit' });
  // The Activity system's first activities table (its 002): no reindex_version, keyed by resource uid.
  await client.command({
    query: `CREATE TABLE audit.activities (activity_json String,
              timestamp DateTime64(3) MATERIALIZED parseDateTime64BestEffort(JSONExtractString(activity_json, 'metadata', 'creationTimestamp')),
              resource_uid String MATERIALIZED JSONExtractString(activity_json, 'spec', 'resource', 'uid'))
            ENGINE = ReplacingMergeTree ORDER BY (timestamp, resource_uid)`,
  });
  // Recent: the new layout's 60-day TTL would drop older rows (and the count check would stop the swap).
  const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const stored = Array.from({ length: 50 }, (_, i) =>
    JSON.stringify({ metadata: { name: `act-${i}`, creationTimestamp: `${day}T00:00:${String(i).padStart(2, '0')}Z` },
      spec: { summary: `s${i}`, origin: { type: 'audit', id: `o-${i}` }, tenant: { type: 'project', name: 'p' }, resource: { uid: `r-${i}` } } }));
  await client.insert({ table: 'audit.activities', values: stored.map((activity_json) => ({ activity_json })), format: 'JSONEachRow' });
  const result = await runMigrations(client);
  assert.equal(result.kind, 'empty');
  assert.deepEqual(result.rebuilt, [{ table: 'audit.activities', rows: 50, keptAs: 'audit.activities_before_005' }]);
  const now = await rows<{ activity_json: string; origin_id: string }>('SELECT activity_json, origin_id FROM audit.activities ORDER BY origin_id');
  assert.deepEqual(now.map((r) => r.activity_json).sort(), [...stored].sort());
  assert.equal(now.filter((r) => r.origin_id.startsWith('o-')).length, 50);
  const [table] = await rows<{ engine_full: string }>("SELECT engine_full FROM system.tables WHERE database = 'audit' AND name = 'activities'");
  assert.match(table.engine_full, /^ReplacingMergeTree\(reindex_version\)/);
  assert.deepEqual(await rows('SELECT count() AS n FROM audit.activities_before_005'), [{ n: 50 }]);
});

test('refuses a migration that drops a table holding rows, and drops nothing', async () => {
  await runMigrations(client);
  await client.insert({ table: 'audit.activities', values: [{ activity_json: '{}' }], format: 'JSONEachRow' });
  const dir = mkdtempSync(join(tmpdir(), 'reindex-migrations-files-'));
  cpSync(here, dir, { recursive: true, filter: (src) => !src.endsWith('.ts') });
  writeFileSync(join(dir, '900_drop.sql'), 'DROP TABLE IF EXISTS audit.activities {{ON_CLUSTER}};');
  await assert.rejects(runMigrations(client, { dir }), /Migration 900_drop\.sql failed: refusing to drop audit\.activities: it holds 1 rows/);
  assert.deepEqual(await rows('SELECT count() AS n FROM audit.activities'), [{ n: 1 }]);
});

test('carries over the ledger an earlier reindex migrate kept in audit.schema_migrations, 005 as it was first written', async () => {
  await client.command({ query: 'CREATE DATABASE audit' });
  await client.command({ query: 'CREATE TABLE audit.schema_migrations (version UInt32, name String, checksum String, applied_at DateTime64(3) DEFAULT now64(3)) ENGINE = MergeTree ORDER BY version' });
  const old = '005_activities_reindex_support.sql';
  await client.insert({ table: 'audit.schema_migrations', values: [{ version: 5, name: old, checksum: 'fd876c3aaa9a09d58e4a40ee16f0837b1cb62e78430d1a6538ce8c08e06b0444' }], format: 'JSONEachRow' });
  const plan = await planMigrations(client);
  assert.equal(plan.kind, 'embedded');
  assert.deepEqual(plan.pending, ['001_audit_logs.sql', '002_k8s_events.sql']);
  await runMigrations(client);
  assert.deepEqual((await rows<{ name: string }>(`SELECT name FROM ${LEDGER} ORDER BY version`)).map((r) => r.name), ['001_audit_logs.sql', '002_k8s_events.sql', old]);
});
