import type { ClickHouseClient } from '@clickhouse/client';
import type { Activity, OriginType } from '../api/activity.js';
import type { SourceTables } from './source-tables.js';
import { toClickHouseTime, type Instant } from './clickhouse-time.js';
import { TABLE, tableParams } from './table-params.js';

/**
 * The stored activities (after de-duplication, FINAL) of one origin type
 * whose timestamp lies in [from, to), optionally only those of the given
 * origin ids; for comparing a dry run against what is stored. Ordered by
 * timestamp then origin id.
 */
export async function readStoredActivities(
  client: ClickHouseClient,
  tables: SourceTables,
  query: { from: Instant; to: Instant; originType: OriginType; originIds?: string[] },
): Promise<Activity[]> {
  if (query.originIds?.length === 0) return [];
  const byId = query.originIds ? 'AND origin_id IN {ids:Array(String)}' : '';
  const rs = await client.query({
    query: `SELECT activity_json FROM ${TABLE} FINAL
            WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
              AND origin_type = {originType:String} ${byId}
            ORDER BY timestamp, origin_id`,
    query_params: {
      ...tableParams(tables.activities),
      from: toClickHouseTime(query.from),
      to: toClickHouseTime(query.to),
      originType: query.originType,
      ...(query.originIds ? { ids: query.originIds } : {}),
    },
    format: 'JSONCompactEachRow',
  });
  const rows = await rs.json<[string]>();
  return rows.map(([json]) => JSON.parse(json) as Activity);
}
