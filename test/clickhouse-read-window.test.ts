import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { ClickHouseClient } from '@clickhouse/client';
import { runMigrations } from '../migrations/run-migrations.js';
import { createClickHouseClient } from '../shared/clickhouse/create-clickhouse-client.js';
import { parsePageRows, readWindowPages, readWindowRawPages, splitRawPage, type RawPage } from '../shared/clickhouse/read-window.js';
import type { SourceRow } from '../shared/clickhouse/source-row.js';
import type { SourceTables } from '../shared/clickhouse/source-tables.js';

const client = createClickHouseClient({ dataDir: mkdtempSync(join(tmpdir(), 'reindex-read-window-')) });
after(() => client.close());

// Each test writes its own tables, so one test's rows never show in another's window.
async function freshTables(name: string): Promise<SourceTables> {
  const tables = { auditLogs: `audit.${name}_audit`, k8sEvents: `audit.${name}_events`, activities: 'audit.activities' };
  await client.command({ query: `CREATE TABLE ${tables.auditLogs} AS audit.audit_logs` });
  await client.command({ query: `CREATE TABLE ${tables.k8sEvents} AS audit.k8s_events` });
  return tables;
}

function auditLog(auditID: string, at: string): string {
  return JSON.stringify({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', auditID, verb: 'get', requestReceivedTimestamp: at });
}

async function insert(table: string, rows: string[]): Promise<void> {
  await client.insert({ table, columns: ['event_json'], values: rows.map((event_json) => ({ event_json })), format: 'JSONEachRow' });
}

async function readAll(c: ClickHouseClient, tables: SourceTables, window: Parameters<typeof readWindowPages>[2], pageSize: number) {
  const pages: SourceRow[][] = [];
  for await (const page of readWindowPages(c, tables, window, { maxRows: pageSize, firstRows: pageSize })) pages.push(page);
  return pages;
}

before(async () => {
  await runMigrations(client);
});

test('returns every row of a window exactly once when many rows share one timestamp across page boundaries', async () => {
  const tables = await freshTables('ties');
  const ids: string[] = [];
  const rows: string[] = [];
  // 150 rows at one microsecond, bracketed by rows before and after it.
  for (let i = 0; i < 150; i++) rows.push(auditLog(`tie-${String(i).padStart(3, '0')}`, '2026-03-01T10:00:00.123456Z'));
  for (let i = 0; i < 40; i++) rows.push(auditLog(`before-${i}`, `2026-03-01T09:${String(i).padStart(2, '0')}:00.000001Z`));
  for (let i = 0; i < 40; i++) rows.push(auditLog(`after-${i}`, `2026-03-01T10:${String(i + 1).padStart(2, '0')}:00.5Z`));
  for (const r of rows) ids.push(JSON.parse(r).auditID);
  await insert(tables.auditLogs, rows.slice(0, 100));
  await insert(tables.auditLogs, rows.slice(100)); // two parts, so ties span parts too
  const pages = await readAll(client, tables, { source: 'audit', from: '2026-03-01T00:00:00.000Z', to: '2026-03-02T00:00:00.000Z' }, 7);
  const seen = pages.flat().map((r) => r.id);
  assert.equal(seen.length, ids.length);
  assert.deepEqual([...seen].sort(), [...ids].sort());
  assert.equal(new Set(seen).size, seen.length);
  assert.ok(pages.every((p) => p.length <= 7));
  const tied = pages.flat().find((r) => r.id === 'tie-000');
  assert.equal(tied?.timestamp, '2026-03-01T10:00:00.123456Z');
});

test('a page cut into pieces of n rows holds exactly its rows, in order, n at most in each', async () => {
  const tables = await freshTables('pieces');
  // 23 rows, one malformed: 23 = 5 pieces of 5 and a last of 3.
  const rows = Array.from({ length: 22 }, (_, i) => auditLog(`piece-${String(i).padStart(2, '0')}`, `2026-03-05T00:00:${String(i).padStart(2, '0')}Z`));
  rows.push('{"auditID": "piece-cut", "requestReceivedTimestamp": "2026-03-05T00:00:30Z", ');
  await insert(tables.auditLogs, rows);
  const window = { source: 'audit' as const, from: '2026-03-05T00:00:00.000Z', to: '2026-03-06T00:00:00.000Z' };
  const pages: RawPage[] = [];
  for await (const page of readWindowRawPages(client, tables, window, { firstRows: 100 })) pages.push(page);
  assert.deepEqual(pages.map((p) => p.rows), [23], 'one page');
  const pieces = [...splitRawPage(pages[0]!, 5)];
  assert.deepEqual(pieces.map((p) => p.rows), [5, 5, 5, 5, 3]);
  assert.deepEqual(pieces.map((p) => parsePageRows(p.bytes).length), [5, 5, 5, 5, 3], 'each piece parses to its row count');
  assert.deepEqual(pieces.flatMap((p) => parsePageRows(p.bytes)), parsePageRows(pages[0]!.bytes));
  assert.deepEqual([...splitRawPage(pages[0]!, 23)], pages, 'a page no larger than n stays whole');
  assert.throws(() => [...splitRawPage(pages[0]!, 0)], /positive integer/);
});

test('includes a row at from and excludes a row at to: windows are half-open', async () => {
  const tables = await freshTables('bounds');
  await insert(tables.auditLogs, [
    auditLog('at-from', '2026-03-01T00:00:00Z'),
    auditLog('just-before-to', '2026-03-01T00:59:59.999999Z'),
    auditLog('at-to', '2026-03-01T01:00:00Z'),
    auditLog('before-from', '2026-02-28T23:59:59.999999Z'),
  ]);
  const pages = await readAll(client, tables, { source: 'audit', from: '2026-03-01T00:00:00.000Z', to: '2026-03-01T01:00:00.000Z' }, 10);
  assert.deepEqual(pages.flat().map((r) => r.id), ['at-from', 'just-before-to']);
});

test('holds at most one page of rows in flight over a window ten times the page size', async () => {
  const tables = await freshTables('memory');
  const rows: string[] = [];
  for (let i = 0; i < 1000; i++) {
    // Groups of 30 rows share a timestamp, so ties straddle most page boundaries.
    const second = String(Math.floor(i / 30) % 60).padStart(2, '0');
    const minute = String(Math.floor(i / 1800)).padStart(2, '0');
    rows.push(auditLog(`m-${String(i).padStart(4, '0')}`, `2026-03-02T00:${minute}:${second}.000000Z`));
  }
  await insert(tables.auditLogs, rows);
  // Count rows as they arrive from ClickHouse and as the consumer finishes
  // them: a reader that fetched ahead, or the whole window, would show more
  // rows in flight than one page.
  let fetched = 0;
  const counting = new Proxy(client, {
    get(target, prop) {
      if (prop !== 'exec') return Reflect.get(target, prop, target);
      return async (params: Parameters<ClickHouseClient['exec']>[0]) => {
        const result = await target.exec(params);
        const bytes = await buffer(result.stream);
        fetched += bytes.toString().split('\n').filter(Boolean).length;
        return { ...result, stream: Readable.from([bytes]) };
      };
    },
  }) as ClickHouseClient;
  const pageSize = 100;
  let done = 0;
  let maxInFlight = 0;
  let pages = 0;
  const seen = new Set<string>();
  for await (const page of readWindowPages(counting, tables, { source: 'audit', from: '2026-03-02T00:00:00.000Z', to: '2026-03-03T00:00:00.000Z' }, { maxRows: pageSize, firstRows: pageSize })) {
    pages++;
    maxInFlight = Math.max(maxInFlight, fetched - done);
    for (const row of page) seen.add(row.id);
    done += page.length;
  }
  assert.equal(seen.size, 1000);
  assert.equal(done, 1000);
  assert.ok(pages >= 10, `expected at least 10 pages, got ${pages}`);
  assert.ok(maxInFlight <= pageSize, `at most ${pageSize} rows in flight, saw ${maxInFlight}`);
});

test('returns a malformed event_json as an error item carrying its id, and carries on', async () => {
  const tables = await freshTables('malformed');
  const good = auditLog('good-1', '2026-03-03T00:00:01Z');
  const cut = auditLog('cut-short', '2026-03-03T00:00:02Z').slice(0, -1);
  await insert(tables.auditLogs, [good, '{"auditID": "cut-short-2", "requestReceivedTimestamp": "2026-03-03T00:00:03Z", ', cut, auditLog('good-2', '2026-03-03T00:00:04Z')]);
  const rows = (await readAll(client, tables, { source: 'audit', from: '2026-03-03T00:00:00.000Z', to: '2026-03-04T00:00:00.000Z' }, 2)).flat();
  assert.deepEqual(rows.map((r) => [r.id, 'error' in r]), [['good-1', false], ['cut-short', true], ['cut-short-2', true], ['good-2', false]]);
  const bad = rows[1];
  assert.ok('error' in bad && /Malformed event_json/.test(bad.error));
  assert.equal(bad.timestamp, '2026-03-03T00:00:02.000000Z');
  assert.deepEqual('event' in rows[0] ? (rows[0].event as { auditID: string }).auditID : undefined, 'good-1');
});

test('sends values containing quotes and SQL as parameters, even as the page cursor', async () => {
  const tables = await freshTables('injection');
  const nasty = "x'); DROP TABLE audit.injection_audit; --\"`\\";
  await insert(tables.auditLogs, [auditLog(nasty, '2026-03-04T00:00:01Z'), auditLog("o'brien", '2026-03-04T00:00:02Z'), auditLog('z', '2026-03-04T00:00:03Z')]);
  // Page size 1 makes each id the cursor of the next query.
  const rows = (await readAll(client, tables, { source: 'audit', from: '2026-03-04T00:00:00.000Z', to: '2026-03-05T00:00:00.000Z' }, 1)).flat();
  assert.deepEqual(rows.map((r) => r.id), [nasty, "o'brien", 'z']);
  const [{ n }] = await (await client.query({ query: `SELECT count() AS n FROM ${tables.auditLogs}`, format: 'JSONEachRow' })).json<{ n: number }>();
  assert.equal(Number(n), 3);
});

test('reads Events by their event time, keyed by metadata.uid, in both Event shapes', async () => {
  const tables = await freshTables('events');
  await insert(tables.k8sEvents, [
    JSON.stringify({ apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { uid: 'v1-uid', creationTimestamp: '2026-03-05T00:00:00Z' }, eventTime: '2026-03-05T01:00:00.250000Z', reason: 'Scheduled' }),
    JSON.stringify({ apiVersion: 'v1', kind: 'Event', metadata: { uid: 'core-uid', creationTimestamp: '2026-03-05T00:00:00Z' }, eventTime: null, firstTimestamp: '2026-03-05T00:30:00Z', lastTimestamp: '2026-03-05T02:00:00Z', reason: 'BackOff' }),
  ]);
  const rows = (await readAll(client, tables, { source: 'event', from: '2026-03-05T00:00:00.000Z', to: '2026-03-06T00:00:00.000Z' }, 10)).flat();
  assert.deepEqual(rows.map((r) => [r.id, r.timestamp]), [['v1-uid', '2026-03-05T01:00:00.250000Z'], ['core-uid', '2026-03-05T02:00:00.000000Z']]);
});
