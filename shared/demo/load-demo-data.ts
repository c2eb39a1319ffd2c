import type { ClickHouseClient } from '@clickhouse/client';
import type { SourceTables } from '../clickhouse/source-tables.js';
import { checkedTableName } from '../clickhouse/table-params.js';
import { demoRows, type DemoDataOptions } from './demo-rows.js';

export interface LoadDemoDataOptions extends DemoDataOptions {
  /** Rows per INSERT (default 10000); memory holds at most two batches. */
  batchSize?: number;
  onProgress?: (loaded: number) => void;
}

/** Generates demo rows and inserts them in batches, streaming: 1,000,000 rows fit in bounded memory. */
export async function loadDemoData(
  client: ClickHouseClient,
  tables: SourceTables,
  opts: LoadDemoDataOptions,
): Promise<{ auditLogs: number; k8sEvents: number }> {
  const batchSize = opts.batchSize ?? 10_000;
  const batches = { audit: [] as string[], event: [] as string[] };
  const counts = { auditLogs: 0, k8sEvents: 0 };
  const flush = async (source: 'audit' | 'event'): Promise<void> => {
    const rows = batches[source];
    if (rows.length === 0) return;
    batches[source] = [];
    await client.insert({
      table: checkedTableName(source === 'audit' ? tables.auditLogs : tables.k8sEvents),
      columns: ['event_json'],
      values: rows.map((event_json) => ({ event_json })),
      format: 'JSONEachRow',
    });
    if (source === 'audit') counts.auditLogs += rows.length;
    else counts.k8sEvents += rows.length;
    opts.onProgress?.(counts.auditLogs + counts.k8sEvents);
  };
  for (const row of demoRows(opts)) {
    batches[row.source].push(row.json);
    if (batches[row.source].length >= batchSize) await flush(row.source);
  }
  await flush('audit');
  await flush('event');
  return counts;
}
