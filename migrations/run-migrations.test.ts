import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClickHouseClient } from '../shared/clickhouse/create-clickhouse-client.js';
import { runMigrations } from './run-migrations.js';

const client = createClickHouseClient({ dataDir: mkdtempSync(join(tmpdir(), 'reindex-migrations-')) });
after(() => client.close());
const here = fileURLToPath(new URL('.', import.meta.url));

async function rows<T>(query: string): Promise<T[]> {
  return (await client.query({ query, format: 'JSONEachRow' })).json<T>();
}

test('applies every migration on an empty engine, then has nothing left to do', async () => {
  const first = await runMigrations(client);
  assert.deepEqual(first.applied, ['001_audit_logs.sql', '002_k8s_events.sql', '005_activities_reindex_support.sql']);
  assert.deepEqual(first.alreadyApplied, []);
  const second = await runMigrations(client);
  assert.deepEqual(second.applied, []);
  assert.deepEqual(second.alreadyApplied, first.applied);
  const ledger = await rows<{ name: string; checksum: string }>('SELECT name, checksum FROM audit.schema_migrations ORDER BY version');
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
