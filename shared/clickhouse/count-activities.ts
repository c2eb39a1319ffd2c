import type { ClickHouseClient } from '@clickhouse/client';
import type { SourceTables } from './source-tables.js';
import { toClickHouseTime, type Instant } from './clickhouse-time.js';
import { TABLE, tableParams } from './table-params.js';

/**
 * Activities whose own timestamp (metadata.creationTimestamp) lies in
 * [from, to), counted after de-duplication (FINAL): one per origin.
 */
export async function countActivities(
  client: ClickHouseClient,
  tables: SourceTables,
  range: { from: Instant; to: Instant },
): Promise<number> {
  const rs = await client.query({
    query: `SELECT count() AS n FROM ${TABLE} FINAL
            WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}`,
    query_params: { ...tableParams(tables.activities), from: toClickHouseTime(range.from), to: toClickHouseTime(range.to) },
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<{ n: number | string }>();
  return Number(row?.n ?? 0);
}
