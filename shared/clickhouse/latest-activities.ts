import type { ClickHouseClient } from '@clickhouse/client';
import type { Activity } from '../api/activity.js';
import { toClickHouseTime, type Instant } from './clickhouse-time.js';
import type { SourceTables } from './source-tables.js';
import { TABLE, tableParams } from './table-params.js';

/** The newest few stored activities (FINAL) in [from, to): what the CLI shows after a run. */
export async function latestActivities(
  client: ClickHouseClient,
  tables: SourceTables,
  range: { from: Instant; to: Instant },
  limit: number,
): Promise<Activity[]> {
  const rs = await client.query({
    query: `SELECT activity_json FROM ${TABLE} FINAL
            WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
            ORDER BY timestamp DESC, origin_id LIMIT {limit:UInt32}`,
    query_params: { ...tableParams(tables.activities), from: toClickHouseTime(range.from), to: toClickHouseTime(range.to), limit },
    format: 'JSONCompactEachRow',
  });
  return (await rs.json<[string]>()).map(([json]) => JSON.parse(json) as Activity);
}
