import type { ClickHouseClient } from '@clickhouse/client';
import { sourceTimeSpan } from '../shared/clickhouse/source-time-span.js';
import type { SourceTables } from '../shared/clickhouse/source-tables.js';
import { loadDemoData } from '../shared/demo/load-demo-data.js';

/**
 * Loads demo audit logs and Events when the source tables are empty, and
 * returns the stored span either way: `demo` and `up` start from the same data.
 */
export async function ensureDemoData(clickhouse: ClickHouseClient, tables: SourceTables, opts: { events: number; days: number }) {
  let span = await sourceTimeSpan(clickhouse, tables);
  if (!span) {
    process.stderr.write(`Loading ${opts.events.toLocaleString('en-US')} demo audit logs and Kubernetes Events over the last ${opts.days} days…\n`);
    await loadDemoData(clickhouse, tables, { events: opts.events, days: opts.days, now: new Date(), seed: 42 });
    span = await sourceTimeSpan(clickhouse, tables);
  } else {
    process.stderr.write(`Using the ${span.rows.toLocaleString('en-US')} rows already in ${tables.auditLogs} and ${tables.k8sEvents}.\n`);
  }
  if (!span) throw new Error('no demo rows to reindex');
  return span;
}
