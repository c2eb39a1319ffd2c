import type { ClickHouseClient } from '@clickhouse/client';
import type { Activity, OriginType } from '../api/activity.js';
import { activitiesInRange } from './activities-in-range.js';
import type { SourceTables } from './source-tables.js';
import type { Instant } from './clickhouse-time.js';

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
  const { sql, params } = activitiesInRange(tables, query);
  const rs = await client.query({
    query: `SELECT activity_json ${sql} ${byId} ORDER BY timestamp, origin_id`,
    query_params: { ...params, ...(query.originIds ? { ids: query.originIds } : {}) },
    format: 'JSONCompactEachRow',
  });
  const rows = await rs.json<[string]>();
  return rows.map(([json]) => JSON.parse(json) as Activity);
}
