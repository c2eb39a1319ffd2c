import type { Source } from '../contracts/window-requested.js';

/** Table names are configurable (DESIGN.md §4.4); these are the defaults. */
export interface SourceTables {
  auditLogs: string;
  k8sEvents: string;
  activities: string;
}

export const DEFAULT_TABLES: SourceTables = {
  auditLogs: process.env.REINDEX_AUDIT_TABLE ?? 'audit.audit_logs',
  k8sEvents: process.env.REINDEX_EVENTS_TABLE ?? 'audit.k8s_events',
  activities: process.env.REINDEX_ACTIVITIES_TABLE ?? 'audit.activities',
};

export function sourceTable(tables: SourceTables, source: Source): string {
  return source === 'audit' ? tables.auditLogs : tables.k8sEvents;
}
