import type { ClickHouseClient } from '@clickhouse/client';
import type { Source } from '../contracts/window-requested.js';
import { fromClickHouseTime, toClickHouseTime, type Instant } from './clickhouse-time.js';
import type { SourceTables } from './source-tables.js';
import { layoutParams, sourceLayout } from './source-layout.js';
import { TABLE } from './table-params.js';

/**
 * When the given source rows happened: id → row timestamp (RFC3339 UTC,
 * microseconds), for the ids found with a timestamp in [from, to). Bounded
 * by time so the lookup reads a narrow slice of the (timestamp, id) key.
 * An id stored twice keeps its earliest time.
 */
export async function readSourceTimes(
  client: ClickHouseClient,
  tables: SourceTables,
  query: { source: Source; from: Instant; to: Instant; ids: string[] },
): Promise<Map<string, string>> {
  const times = new Map<string, string>();
  if (query.ids.length === 0) return times;
  const layout = await sourceLayout(client, tables, query.source);
  // Ids compared as text: a UUID id column prints as the id the reader handed out.
  const rs = await client.query({
    query: `SELECT toString({id:Identifier}) AS row_id, toString(min({time:Identifier}), 'UTC') FROM ${TABLE}
            WHERE {time:Identifier} >= {from:DateTime64(3, 'UTC')} AND {time:Identifier} < {to:DateTime64(3, 'UTC')}
              AND row_id IN {ids:Array(String)}
            GROUP BY row_id`,
    query_params: {
      ...layoutParams(layout),
      from: toClickHouseTime(query.from),
      to: toClickHouseTime(query.to),
      ids: query.ids,
    },
    format: 'JSONCompactEachRow',
  });
  for (const [rowId, time] of await rs.json<[string, string]>()) times.set(rowId, fromClickHouseTime(time));
  return times;
}
