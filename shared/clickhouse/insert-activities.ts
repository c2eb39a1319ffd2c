import type { ClickHouseClient } from '@clickhouse/client';
import type { Activity } from '../api/activity.js';
import type { SourceTables } from './source-tables.js';
import { checkedTableName } from './table-params.js';

/**
 * Writes activities the way Vector does: one `{activity_json}` row each.
 * The table defaults `reindex_version` to the insert time, so a later write
 * of the same origin wins under FINAL and at merge.
 */
export async function insertActivities(
  client: ClickHouseClient,
  tables: SourceTables,
  activities: Activity[],
): Promise<void> {
  if (activities.length === 0) return;
  await client.insert({
    table: checkedTableName(tables.activities),
    columns: ['activity_json'],
    values: activities.map((a) => ({ activity_json: JSON.stringify(a) })),
    format: 'JSONEachRow',
  });
}
