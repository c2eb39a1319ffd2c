import type { ClickHouseClient } from '@clickhouse/client';
import type { Activity } from '../shared/api/activity.js';
import { insertActivities } from '../shared/clickhouse/insert-activities.js';
import type { SourceTables } from '../shared/clickhouse/source-tables.js';
import { UnavailableError } from '../shared/errors/unavailable-error.js';
import type { ActivityPublisher, PublishCounts } from '../shared/nats/activity-publisher.js';

/**
 * Without a nats-server the local stack writes activities straight into
 * `audit.activities`, doing the stream's and Vector's job in one step. A
 * re-run inserts again; ReplacingMergeTree keeps one row per origin.
 */
export function createClickHouseActivityPublisher(
  clickhouse: ClickHouseClient,
  tables: SourceTables,
  batchSize = 1000,
): ActivityPublisher {
  let batch: Activity[] = [];
  const counts: PublishCounts = { published: 0, duplicates: 0 };
  const write = async () => {
    const rows = batch;
    batch = [];
    try {
      await insertActivities(clickhouse, tables, rows);
    } catch (err) {
      throw new UnavailableError(`ClickHouse did not take ${rows.length} activities: ${(err as Error).message}`, { cause: err });
    }
    counts.published += rows.length;
  };
  return {
    async publish(activity) {
      batch.push(activity);
      if (batch.length >= batchSize) await write();
    },
    async flush() {
      if (batch.length > 0) await write();
      return { ...counts };
    },
  };
}
