import type { ClickHouseClient } from '@clickhouse/client';
import type { Activity } from '../api/activity.js';
import type { Instant } from './clickhouse-time.js';
import { activitiesInRange } from './activities-in-range.js';
import type { SourceTables } from './source-tables.js';

/** The newest few stored activities (FINAL) in [from, to): what the CLI shows after a run. */
export async function latestActivities(
  client: ClickHouseClient,
  tables: SourceTables,
  range: { from: Instant; to: Instant },
  limit: number,
): Promise<Activity[]> {
  const { sql, params } = activitiesInRange(tables, range);
  const rs = await client.query({
    query: `SELECT activity_json ${sql} ORDER BY timestamp DESC, origin_id LIMIT {limit:UInt32}`,
    query_params: { ...params, limit },
    format: 'JSONCompactEachRow',
  });
  return (await rs.json<[string]>()).map(([json]) => JSON.parse(json) as Activity);
}
