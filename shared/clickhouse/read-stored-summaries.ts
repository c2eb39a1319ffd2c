import type { ClickHouseClient } from '@clickhouse/client';
import { POLICY_NAME_LABEL, type OriginType } from '../api/activity.js';
import { fromClickHouseTime, type Instant } from './clickhouse-time.js';
import { activitiesInRange } from './activities-in-range.js';
import type { SourceTables } from './source-tables.js';

/** What a dry run needs of a stored activity to report it as orphaned. */
export interface StoredSummary {
  originId: string;
  /** The activity's own timestamp (whole seconds), RFC3339 UTC. */
  timestamp: string;
  summary: string;
  policy: string;
}

/**
 * The stored activities (FINAL) of one origin type whose timestamp lies in
 * [from, to), streamed a row at a time and without their JSON bodies: a
 * window's worth of stored activities is never held at once. Ordered by
 * timestamp then origin id.
 */
export async function* readStoredSummaries(
  client: ClickHouseClient,
  tables: SourceTables,
  query: { from: Instant; to: Instant; originType: OriginType },
): AsyncGenerator<StoredSummary> {
  const { sql, params } = activitiesInRange(tables, query);
  const rs = await client.query({
    query: `SELECT origin_id, toString(timestamp), summary,
                   JSONExtractString(activity_json, 'metadata', 'labels', {policyLabel:String})
            ${sql} ORDER BY timestamp, origin_id`,
    query_params: { ...params, policyLabel: POLICY_NAME_LABEL },
    format: 'JSONCompactEachRow',
  });
  for await (const rows of rs.stream<[string, string, string, string]>()) {
    for (const row of rows) {
      const [originId, timestamp, summary, policy] = row.json();
      yield { originId, timestamp: fromClickHouseTime(timestamp), summary, policy };
    }
  }
}
