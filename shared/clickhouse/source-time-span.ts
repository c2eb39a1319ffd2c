import type { ClickHouseClient } from '@clickhouse/client';
import { fromClickHouseTime } from './clickhouse-time.js';
import type { SourceTables } from './source-tables.js';
import { layoutParams, sourceLayout } from './source-layout.js';
import { TABLE } from './table-params.js';

/** The first and last row timestamps across both source tables, or undefined when both are empty. */
export async function sourceTimeSpan(
  client: ClickHouseClient,
  tables: SourceTables,
): Promise<{ first: string; last: string; rows: number } | undefined> {
  let first: string | undefined;
  let last: string | undefined;
  let rows = 0;
  for (const source of ['audit', 'event'] as const) {
    const layout = await sourceLayout(client, tables, source);
    const rs = await client.query({
      query: `SELECT count() AS n, toString(min({time:Identifier}), 'UTC') AS first, toString(max({time:Identifier}), 'UTC') AS last FROM ${TABLE}`,
      query_params: layoutParams(layout),
      format: 'JSONEachRow',
    });
    const [row] = await rs.json<{ n: string | number; first: string; last: string }>();
    const n = Number(row?.n ?? 0);
    if (n === 0) continue;
    rows += n;
    const f = fromClickHouseTime(row.first);
    const l = fromClickHouseTime(row.last);
    if (!first || f < first) first = f;
    if (!last || l > last) last = l;
  }
  return first && last ? { first, last, rows } : undefined;
}
