import type { ClickHouseClient } from '@clickhouse/client';
import { activitiesInRange } from './activities-in-range.js';
import type { SourceTables } from './source-tables.js';
import type { Instant } from './clickhouse-time.js';

/**
 * Activities whose own timestamp (metadata.creationTimestamp) lies in
 * [from, to), counted after de-duplication (FINAL): one per origin.
 */
export async function countActivities(
  client: ClickHouseClient,
  tables: SourceTables,
  range: { from: Instant; to: Instant },
): Promise<number> {
  const { sql, params } = activitiesInRange(tables, range);
  const rs = await client.query({
    query: `SELECT count() AS n ${sql}`,
    query_params: params,
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<{ n: number | string }>();
  return Number(row?.n ?? 0);
}
