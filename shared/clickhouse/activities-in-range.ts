import type { OriginType } from '../api/activity.js';
import { toClickHouseTime, type Instant } from './clickhouse-time.js';
import type { SourceTables } from './source-tables.js';
import { TABLE, tableParams } from './table-params.js';

/**
 * `FROM audit.activities FINAL WHERE …` for the stored activities (one per
 * origin) whose own timestamp lies in [from, to), optionally of one origin
 * type: the part every activities query shares, with its parameters.
 */
export function activitiesInRange(
  tables: SourceTables,
  range: { from: Instant; to: Instant; originType?: OriginType },
): { sql: string; params: Record<string, unknown> } {
  const byType = range.originType ? 'AND origin_type = {originType:String}' : '';
  return {
    sql: `FROM ${TABLE} FINAL
          WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')} ${byType}`,
    params: {
      ...tableParams(tables.activities),
      from: toClickHouseTime(range.from),
      to: toClickHouseTime(range.to),
      ...(range.originType ? { originType: range.originType } : {}),
    },
  };
}
