import type { ClickHouseClient } from '@clickhouse/client';
import type { WindowSpec } from '../shared/contracts/window-requested.js';
import { countWindowBuckets } from '../shared/clickhouse/count-window-buckets.js';
import { planWindows } from '../shared/clickhouse/plan-windows.js';
import type { SourceTables } from '../shared/clickhouse/source-tables.js';
import type { TimeRange } from '../shared/contracts/job-plan.js';

export interface PlanJobWindowsDeps {
  clickhouse: ClickHouseClient;
  tables: SourceTables;
}

/**
 * The windows of a job's range, each holding at most `targetEvents`
 * (controller/window-target.ts) unless one second of one source holds more.
 */
export async function planJobWindows(deps: PlanJobWindowsDeps, range: TimeRange, targetEvents: number): Promise<WindowSpec[]> {
  const from = range.startTime;
  const to = range.endTime;
  const [audit, event] = await Promise.all(
    (['audit', 'event'] as const).map((source) => countWindowBuckets(deps.clickhouse, deps.tables, source, { from, to }, targetEvents)),
  );
  return planWindows({ from, to, buckets: { audit, event }, targetEvents });
}
