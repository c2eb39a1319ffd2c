import type { ClickHouseClient } from '@clickhouse/client';
import { runMigrations } from '../migrations/run-migrations.js';
import { chooseBucketSeconds, planWindows } from '../shared/clickhouse/plan-windows.js';
import { countBuckets } from '../shared/clickhouse/count-buckets.js';
import { sourceTimeSpan } from '../shared/clickhouse/source-time-span.js';
import { DEFAULT_TABLES } from '../shared/clickhouse/source-tables.js';
import type { WindowSpec } from '../shared/contracts/window-requested.js';
import { loadDemoData } from '../shared/demo/load-demo-data.js';

export interface SeedOptions {
  events: number;
  /** Events per window: batchSize × windowBatches, the controller's planning target. */
  targetEvents: number;
  seed?: number;
  /** Pads audit logs to about this many bytes (see DemoDataOptions). */
  auditEventBytes?: number;
}

export interface SeededData {
  auditLogs: number;
  k8sEvents: number;
  loadMs: number;
  windows: WindowSpec[];
}

// A fixed clock: the same --events gives the same rows and the same plan.
const NOW = new Date('2025-03-01T00:00:00.000Z');

/**
 * Migrates, loads `events` demo rows (about 70% audit logs, 30% Events),
 * and plans windows over all of them with the controller's planner: the
 * range is the rows' own span, so malformed rows stamped at insert time
 * are read too.
 */
export async function seedBenchData(client: ClickHouseClient, opts: SeedOptions): Promise<SeededData> {
  await runMigrations(client);
  const started = Date.now();
  const counts = await loadDemoData(client, DEFAULT_TABLES, { events: opts.events, days: 7, now: NOW, seed: opts.seed ?? 42, auditEventBytes: opts.auditEventBytes });
  const loadMs = Date.now() - started;
  const span = await sourceTimeSpan(client, DEFAULT_TABLES);
  if (!span) throw new Error('the demo load left both source tables empty');
  const from = new Date(Date.parse(span.first) - 1).toISOString();
  const to = new Date(Date.parse(span.last) + 1).toISOString();
  const bucketSeconds = chooseBucketSeconds(from, to);
  const buckets = {
    audit: await countBuckets(client, DEFAULT_TABLES, 'audit', { from, to }, bucketSeconds),
    event: await countBuckets(client, DEFAULT_TABLES, 'event', { from, to }, bucketSeconds),
  };
  const windows = planWindows({ from, to, bucketSeconds, buckets, targetEvents: opts.targetEvents });
  return { ...counts, loadMs, windows };
}
