import type { ClickHouseClient } from '@clickhouse/client';
import type { Source } from '../contracts/window-requested.js';
import type { SourceTables } from './source-tables.js';
import { layoutParams, sourceLayout } from './source-layout.js';
import { toClickHouseTime, type Instant } from './clickhouse-time.js';
import { TABLE } from './table-params.js';

export interface Bucket {
  /** RFC3339 with milliseconds; the bucket is [start, start + bucketSeconds). */
  start: string;
  count: number;
}

/**
 * Only rows inside these coarser buckets (also aligned to `from`): how dense
 * buckets are re-counted at a finer size without reading the rest again.
 */
export interface WithinBuckets {
  bucketSeconds: number;
  /** Starts of the coarse buckets, as countBuckets returned them. */
  starts: readonly string[];
}

/**
 * Rows of one source per time bucket over [from, to), buckets aligned to
 * `from` (not to the epoch) so they tile the range. Only non-empty buckets
 * come back, in time order. The time column is the table's own
 * (source-layout.ts). A row belongs to the bucket of its millisecond,
 * the same rule the reader's `timestamp >= from AND timestamp < to` applies.
 */
export async function countBuckets(
  client: ClickHouseClient,
  tables: SourceTables,
  source: Source,
  range: { from: Instant; to: Instant },
  bucketSeconds: number,
  within?: WithinBuckets,
): Promise<Bucket[]> {
  const fromMs = new Date(range.from).getTime();
  const bucketMs = Math.round(bucketSeconds * 1000);
  if (!(bucketMs >= 1)) throw new Error(`Bucket size must be at least 1ms, got ${bucketSeconds}s`);
  const withinMs = within ? Math.round(within.bucketSeconds * 1000) : 0;
  const withinIndexes = within ? within.starts.map((start) => Math.round((Date.parse(start) - fromMs) / withinMs)) : [];
  const layout = await sourceLayout(client, tables, source);
  const ms = 'toUnixTimestamp64Milli(toDateTime64({time:Identifier}, 3))';
  const rs = await client.query({
    query: `SELECT intDiv(${ms} - {fromMs:Int64}, {bucketMs:Int64}) AS bucket, count() AS n
            FROM ${TABLE}
            WHERE {time:Identifier} >= {from:DateTime64(3, 'UTC')} AND {time:Identifier} < {to:DateTime64(3, 'UTC')}
            ${within ? `AND intDiv(${ms} - {fromMs:Int64}, {withinMs:Int64}) IN {withinIndexes:Array(Int64)}` : ''}
            GROUP BY bucket ORDER BY bucket`,
    query_params: {
      ...layoutParams(layout),
      from: toClickHouseTime(range.from),
      to: toClickHouseTime(range.to),
      fromMs,
      bucketMs,
      ...(within ? { withinMs, withinIndexes } : {}),
    },
    format: 'JSONCompactEachRow',
  });
  const rows = await rs.json<[number | string, number | string]>();
  return rows.map(([bucket, n]) => ({ start: new Date(fromMs + Number(bucket) * bucketMs).toISOString(), count: Number(n) }));
}
