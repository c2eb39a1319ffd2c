import type { Source } from '../contracts/window-requested.js';
import { checkedTableName } from './table-params.js';

/** Table names are configurable (DESIGN.md §4.4); these are the defaults. */
export interface SourceTables {
  auditLogs: string;
  k8sEvents: string;
  activities: string;
}

// Literal, not read from the environment at import: only a `main` (or the
// CLI's global options) reads the environment, through sourceTablesFromEnv.
export const DEFAULT_TABLES: Readonly<SourceTables> = Object.freeze({
  auditLogs: 'audit.audit_logs',
  k8sEvents: 'audit.k8s_events',
  activities: 'audit.activities',
});

/** The environment variable that overrides each table name. */
export const TABLE_ENV: Readonly<Record<keyof SourceTables, string>> = Object.freeze({
  auditLogs: 'REINDEX_AUDIT_TABLE',
  k8sEvents: 'REINDEX_EVENTS_TABLE',
  activities: 'REINDEX_ACTIVITIES_TABLE',
});

/**
 * The tables named by REINDEX_AUDIT_TABLE, REINDEX_EVENTS_TABLE and
 * REINDEX_ACTIVITIES_TABLE, each defaulting to DEFAULT_TABLES. A name that is
 * not a plain `database.table` throws here, at boot, rather than at the first query.
 */
export function sourceTablesFromEnv(env: NodeJS.ProcessEnv = process.env): SourceTables {
  const pick = (key: keyof SourceTables): string => {
    const value = env[TABLE_ENV[key]]?.trim();
    if (!value) return DEFAULT_TABLES[key];
    try {
      return checkedTableName(value);
    } catch (err) {
      throw new Error(`${TABLE_ENV[key]}: ${(err as Error).message}`, { cause: err });
    }
  };
  return { auditLogs: pick('auditLogs'), k8sEvents: pick('k8sEvents'), activities: pick('activities') };
}

export function sourceTable(tables: SourceTables, source: Source): string {
  return source === 'audit' ? tables.auditLogs : tables.k8sEvents;
}

/** The column that identifies a row of each source: the audit ID, or the Event's uid. */
export function sourceIdColumn(source: Source): 'audit_id' | 'event_uid' {
  return source === 'audit' ? 'audit_id' : 'event_uid';
}
