import type { Source } from '../contracts/window-requested.js';
import type { SourceColumns } from './source-layout.js';
import { checkedTableName } from './table-params.js';

/** Table names are configurable (DESIGN.md §4.4); these are the defaults. */
export interface SourceTables {
  auditLogs: string;
  k8sEvents: string;
  activities: string;
  /** Time/id column names that override detection (source-layout.ts); normally unset. */
  columns?: SourceColumns;
}

// Literal, not read from the environment at import: only a `main` (or the
// CLI's global options) reads the environment, through sourceTablesFromEnv.
export const DEFAULT_TABLES: Readonly<Required<Pick<SourceTables, TableKey>>> = Object.freeze({
  auditLogs: 'audit.audit_logs',
  k8sEvents: 'audit.k8s_events',
  activities: 'audit.activities',
});

/** The environment variable that overrides each table name. */
type TableKey = Exclude<keyof SourceTables, 'columns'>;

export const TABLE_ENV: Readonly<Record<TableKey, string>> = Object.freeze({
  auditLogs: 'REINDEX_AUDIT_TABLE',
  k8sEvents: 'REINDEX_EVENTS_TABLE',
  activities: 'REINDEX_ACTIVITIES_TABLE',
});

/** The environment variables that override each source's time and id columns. */
const COLUMN_ENV: Readonly<Record<Source, { time: string; id: string }>> = Object.freeze({
  audit: { time: 'REINDEX_AUDIT_TIME_COLUMN', id: 'REINDEX_AUDIT_ID_COLUMN' },
  event: { time: 'REINDEX_EVENTS_TIME_COLUMN', id: 'REINDEX_EVENTS_ID_COLUMN' },
});

/**
 * The tables named by REINDEX_AUDIT_TABLE, REINDEX_EVENTS_TABLE and
 * REINDEX_ACTIVITIES_TABLE, each defaulting to DEFAULT_TABLES. A name that is
 * not a plain `database.table` throws here, at boot, rather than at the first query.
 */
export function sourceTablesFromEnv(env: NodeJS.ProcessEnv = process.env): SourceTables {
  const pick = (key: TableKey): string => {
    const value = env[TABLE_ENV[key]]?.trim();
    if (!value) return DEFAULT_TABLES[key];
    try {
      return checkedTableName(value);
    } catch (err) {
      throw new Error(`${TABLE_ENV[key]}: ${(err as Error).message}`, { cause: err });
    }
  };
  const columns: SourceColumns = {};
  for (const source of ['audit', 'event'] as const) {
    const column = (name: string): string | undefined => {
      const value = env[name]?.trim();
      if (value && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) throw new Error(`${name}: ${JSON.stringify(value)} is not a column name`);
      return value || undefined;
    };
    const time = column(COLUMN_ENV[source].time);
    const id = column(COLUMN_ENV[source].id);
    if (time || id) columns[source] = { ...(time ? { time } : {}), ...(id ? { id } : {}) };
  }
  return {
    auditLogs: pick('auditLogs'),
    k8sEvents: pick('k8sEvents'),
    activities: pick('activities'),
    ...(Object.keys(columns).length > 0 ? { columns } : {}),
  };
}

export function sourceTable(tables: SourceTables, source: Source): string {
  return source === 'audit' ? tables.auditLogs : tables.k8sEvents;
}
