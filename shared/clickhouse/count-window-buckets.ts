// Bucket counts fine enough to pack windows of at most a target: a range is
// counted coarsely once (chooseBucketSeconds), then only the buckets holding
// more than the target are counted again at a finer size, down to one second.
import type { ClickHouseClient } from '@clickhouse/client';
import type { Source } from '../contracts/window-requested.js';
import type { Instant } from './clickhouse-time.js';
import { countBuckets, type Bucket } from './count-buckets.js';
import { chooseBucketSeconds, NICE_SECONDS } from './plan-windows.js';
import type { SourceTables } from './source-tables.js';

/**
 * The bucket size to re-count buckets of `seconds` holding up to `maxCount`
 * rows: about half the size that would bring the densest to the target (bursts
 * are uneven), a round size dividing `seconds` so the finer buckets nest in
 * the coarse ones (both are aligned to the range's start). Undefined when
 * `seconds` is one second or less: finer is not worth a query.
 */
export function finerBucketSeconds(seconds: number, maxCount: number, targetEvents: number): number | undefined {
  if (!(seconds > 1)) return undefined;
  const ideal = (seconds * targetEvents) / maxCount / 2;
  const divisors = NICE_SECONDS.filter((s) => s < seconds && seconds % s === 0);
  return divisors.filter((s) => s <= ideal).at(-1) ?? 1;
}

/**
 * Non-empty buckets of one source over [from, to), in time order, of mixed
 * sizes: none holds more than `targetEvents` rows unless it is one second
 * long. Each refinement level is one query for all the dense buckets of the
 * level, so a dense range costs a few queries, not one per bucket.
 */
export async function countWindowBuckets(
  client: ClickHouseClient,
  tables: SourceTables,
  source: Source,
  range: { from: Instant; to: Instant },
  targetEvents: number,
): Promise<Bucket[]> {
  let seconds = chooseBucketSeconds(range.from, range.to);
  let level = await countBuckets(client, tables, source, range, seconds);
  const settled: Bucket[] = [];
  for (;;) {
    const dense = level.filter((b) => b.count > targetEvents);
    const finer = dense.length > 0 ? finerBucketSeconds(seconds, Math.max(...dense.map((b) => b.count)), targetEvents) : undefined;
    if (finer === undefined) {
      settled.push(...level);
      break;
    }
    settled.push(...level.filter((b) => b.count <= targetEvents));
    level = await countBuckets(client, tables, source, range, finer, { bucketSeconds: seconds, starts: dense.map((b) => b.start) });
    seconds = finer;
  }
  return settled.sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
}
