import { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Activity } from '../api/activity.js';
import type { SourceTables } from './source-tables.js';
import { checkedTableName } from './table-params.js';

const NEWLINE = Buffer.from('\n');

/**
 * Writes activities the way Vector does: one `{activity_json}` row each,
 * given as their compact JSON bytes (a stream message as it came, no second
 * encoding). Compact JSON holds no raw tab or newline (JSON escapes them in
 * strings), so each is one TabSeparatedRaw line, the cheapest format to
 * insert. The table defaults `reindex_version` to the insert time, so a
 * later write of the same origin wins under FINAL and at merge.
 */
export async function insertActivityJson(client: ClickHouseClient, tables: SourceTables, rows: readonly Uint8Array[]): Promise<void> {
  if (rows.length === 0) return;
  const body = Buffer.concat(rows.flatMap((row) => [row, NEWLINE]));
  await client.insert({
    table: checkedTableName(tables.activities),
    columns: ['activity_json'],
    values: Readable.from([body], { objectMode: false }),
    format: 'TabSeparatedRaw',
  });
}

/** `insertActivityJson` of activity objects. */
export async function insertActivities(client: ClickHouseClient, tables: SourceTables, activities: readonly Activity[]): Promise<void> {
  await insertActivityJson(client, tables, activities.map((a) => Buffer.from(JSON.stringify(a))));
}
