import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { countBuckets } from '../shared/clickhouse/count-buckets.js';
import { createClickHouseClient } from '../shared/clickhouse/create-clickhouse-client.js';
import { readSourceTimes } from '../shared/clickhouse/read-source-times.js';
import { readWindowPages, readWindowRawPages } from '../shared/clickhouse/read-window.js';
import { detectSourceLayout, SourceLayoutError } from '../shared/clickhouse/source-layout.js';
import { DEFAULT_TABLES } from '../shared/clickhouse/source-tables.js';
import { sourceTimeSpan } from '../shared/clickhouse/source-time-span.js';
import { createProductionLayout } from './helpers/production-layout.js';

// The Activity system's own layout (DESIGN.md §4.4 "Production"), read with
// no table or column settings. Rows are recent: its tables have a 60-day TTL.
const client = createClickHouseClient({ dataDir: mkdtempSync(join(tmpdir(), 'reindex-prod-layout-')) });
after(() => client.close());
before(() => createProductionLayout(client));

const base = Date.parse('2026-01-01T00:00:00Z') > Date.now() - 30 * 86_400_000 ? Date.parse('2026-01-01T00:00:00Z') : Math.floor((Date.now() - 5 * 86_400_000) / 3_600_000) * 3_600_000;
const at = (ms: number) => new Date(base + ms).toISOString();
const range = (fromMs: number, toMs: number) => ({ from: at(fromMs), to: at(toMs) });

async function insert(table: string, rows: object[]): Promise<void> {
  await client.insert({ table, columns: ['event_json'], values: rows.map((r) => ({ event_json: JSON.stringify(r) })), format: 'JSONEachRow' });
}

async function readIds(source: 'audit' | 'event', r: { from: string; to: string }, maxRows: number): Promise<string[][]> {
  const pages: string[][] = [];
  for await (const page of readWindowPages(client, DEFAULT_TABLES, { source, ...r }, { maxRows, firstRows: maxRows })) pages.push(page.map((row) => row.id));
  return pages;
}

test('detects the production columns, their types and the hour-first sorting key', async () => {
  assert.deepEqual(await detectSourceLayout(client, 'audit.audit_logs', 'audit'), {
    table: 'audit.audit_logs', time: 'timestamp', id: 'audit_id', idType: 'UUID', timePrefix: 'toStartOfHour',
  });
  assert.deepEqual(await detectSourceLayout(client, 'audit.k8s_events', 'event'), {
    table: 'audit.k8s_events', time: 'last_timestamp', id: 'uid', idType: 'String', timePrefix: 'toStartOfHour',
  });
});

test('reads audit logs with UUID ids exactly once across page boundaries, including zero-UUID rows at one millisecond', async () => {
  const ids = Array.from({ length: 20 }, () => randomUUID());
  // Ten logs share one millisecond; three have no usable auditID (stored as
  // the zero UUID) at that millisecond too, told apart only by their users.
  await insert('audit.audit_logs', [
    ...ids.map((auditID, i) => ({ auditID, verb: 'get', requestReceivedTimestamp: at(i < 10 ? 1_000 : 1_000 + i) })),
    ...[1, 2, 3].map((n) => ({ auditID: `not-a-uuid-${n}`, verb: 'list', user: { username: `u${n}` }, requestReceivedTimestamp: at(1_000) })),
  ]);
  const r = range(0, 60_000);
  for (const maxRows of [1, 3, 7, 100]) {
    const seen = (await readIds('audit', r, maxRows)).flat();
    assert.equal(seen.length, 23, `page size ${maxRows}`);
    assert.deepEqual(seen.filter((id) => id !== '00000000-0000-0000-0000-000000000000').sort(), [...ids].sort());
  }
  const times = await readSourceTimes(client, DEFAULT_TABLES, { source: 'audit', ...r, ids: [ids[12]!] });
  assert.equal(times.get(ids[12]!), at(1_012));
});

test('reads every stored version of an Event (one row per update, same uid) in time order', async () => {
  const event = (uid: string, last: number, count: number) => ({
    apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { uid, name: `e-${uid}`, creationTimestamp: at(0) },
    regarding: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, reason: 'ScalingReplicaSet',
    series: { count, lastObservedTime: at(last) },
  });
  await insert('audit.k8s_events', [event('u1', 3_600_000 + 10, 1), event('u1', 3_600_000 + 20, 2), event('u2', 3_600_000 + 20, 1)]);
  // A second update landing in the same millisecond: a different stored row all the same.
  await insert('audit.k8s_events', [event('u1', 3_600_000 + 20, 3)]);
  const r = range(3_600_000, 7_200_000);
  for (const maxRows of [1, 2, 10]) assert.deepEqual((await readIds('event', r, maxRows)).flat().sort(), ['u1', 'u1', 'u1', 'u2'], `page size ${maxRows}`);
  const buckets = await countBuckets(client, DEFAULT_TABLES, 'event', r, 60);
  assert.deepEqual(buckets, [{ start: at(3_600_000), count: 4 }]);
  const span = await sourceTimeSpan(client, DEFAULT_TABLES);
  assert.ok(span && span.rows >= 27);
});

test('sizes pages by bytes, whatever the row count allows: 50 KB audit logs come a few at a time', async () => {
  const note = 'x'.repeat(50_000);
  await insert('audit.audit_logs', Array.from({ length: 60 }, (_, i) => ({ auditID: randomUUID(), verb: 'create', requestReceivedTimestamp: at(7_200_000 + i), requestObject: { note } })));
  const pages: { rows: number; bytes: number }[] = [];
  for await (const page of readWindowRawPages(client, DEFAULT_TABLES, { source: 'audit', ...range(7_200_000, 7_300_000) }, { maxBytes: 512 * 1024, firstRows: 4, maxRows: 10_000 })) {
    pages.push({ rows: page.rows, bytes: page.bytes.length });
  }
  assert.equal(pages.reduce((n, p) => n + p.rows, 0), 60);
  assert.equal(pages[0]!.rows, 4);
  // 512 KiB / ~50 KB a row: ten rows a page after the first.
  assert.ok(pages.slice(1, -1).every((p) => p.rows === 10), JSON.stringify(pages.map((p) => p.rows)));
  assert.ok(pages.every((p) => p.bytes <= 512 * 1024 + 60_000), JSON.stringify(pages.map((p) => p.bytes)));
});

test('a table without a usable time or id column is a one-line error naming table and column', async () => {
  await client.command({ query: 'CREATE TABLE audit.odd_logs (event_json String, ts DateTime64(3), audit_id UUID) ENGINE = MergeTree ORDER BY ts' });
  const tables = { ...DEFAULT_TABLES, auditLogs: 'audit.odd_logs' };
  const read = async () => {
    for await (const _ of readWindowPages(client, tables, { source: 'audit', ...range(0, 1) })) void _;
  };
  await assert.rejects(read, (err: Error) => err instanceof SourceLayoutError && err.message === 'audit.odd_logs has no time column timestamp');
  // An override names the column instead.
  await readWindowPages(client, { ...tables, columns: { audit: { time: 'ts' } } }, { source: 'audit', ...range(0, 1) }).next();
  await assert.rejects(
    countBuckets(client, { ...DEFAULT_TABLES, k8sEvents: 'audit.nope' }, 'event', range(0, 1), 60),
    /^SourceLayoutError: Event table audit\.nope does not exist/,
  );
  await assert.rejects(readWindowPages(client, { ...tables, columns: { audit: { time: 'ts', id: 'user' } } }, { source: 'audit', ...range(0, 1) }).next(), /audit\.odd_logs has no id column user$/);
});
