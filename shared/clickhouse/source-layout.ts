import type { ClickHouseClient } from '@clickhouse/client';
import type { Source } from '../contracts/window-requested.js';
import { sourceTable, type SourceTables } from './source-tables.js';
import { tableParams } from './table-params.js';

/**
 * How one source table is laid out, read from the table itself
 * (`system.columns`, `system.tables`), so both layouts of DESIGN.md §4.4 work
 * with no settings: the embedded one (`timestamp`, `audit_id`/`event_uid`
 * Strings) and the Activity system's (`audit_logs.timestamp` + `audit_id`
 * UUID; `k8s_events.last_timestamp` + `uid`).
 */
export interface SourceLayout {
  /** `database.table`. */
  table: string;
  /** The row's time column; a DateTime or DateTime64. */
  time: string;
  /** The row's id column, and the query-parameter type a cursor value of it takes. */
  id: string;
  idType: 'String' | 'UUID';
  /**
   * What the table's sorting key puts before the time column, as a function
   * of it (the Activity system sorts by `toStartOfHour(time), time, …`):
   * ordering by it too lets ClickHouse read in key order instead of sorting.
   */
  timePrefix?: TimeBucketFunction;
}

/** Functions of the time column a sorting key may start with, that we order by too. */
const TIME_BUCKET_FUNCTIONS = ['toStartOfHour', 'toStartOfDay', 'toStartOfMinute', 'toStartOfFifteenMinutes', 'toDate'] as const;
export type TimeBucketFunction = (typeof TIME_BUCKET_FUNCTIONS)[number];

/** Column overrides per source; each unset one is detected. */
export type SourceColumns = Partial<Record<Source, { time?: string; id?: string }>>;

// Which columns each layout names, in order of preference.
const CANDIDATES: Record<Source, { time: string[]; id: string[] }> = {
  audit: { time: ['timestamp'], id: ['audit_id'] },
  event: { time: ['last_timestamp', 'timestamp'], id: ['uid', 'event_uid'] },
};

/** A source table we cannot read: names the table and what it lacks, in one line. */
export class SourceLayoutError extends Error {
  override name = 'SourceLayoutError';
}

// Layouts do not change under a running process except by a migration,
// which runs before readers start; one lookup per client and table.
const cache = new WeakMap<ClickHouseClient, Map<string, Promise<SourceLayout>>>();

/** The layout of a source's table, detected once per client and cached; a failed lookup is retried next time. */
export function sourceLayout(client: ClickHouseClient, tables: SourceTables, source: Source): Promise<SourceLayout> {
  const table = sourceTable(tables, source);
  const overrides = tables.columns?.[source];
  const key = `${table}\n${overrides?.time ?? ''}\n${overrides?.id ?? ''}`;
  let byTable = cache.get(client);
  if (!byTable) cache.set(client, (byTable = new Map()));
  let layout = byTable.get(key);
  if (!layout) {
    layout = detectSourceLayout(client, table, source, overrides);
    byTable.set(key, layout);
    layout.catch(() => byTable.delete(key));
  }
  return layout;
}

export async function detectSourceLayout(
  client: ClickHouseClient,
  table: string,
  source: Source,
  overrides: { time?: string; id?: string } = {},
): Promise<SourceLayout> {
  const params = tableParams(table);
  const columnsRs = await client.query({
    query: 'SELECT name, type FROM system.columns WHERE database = {db:String} AND table = {table:String}',
    query_params: params,
    format: 'JSONEachRow',
  });
  const columns = new Map((await columnsRs.json<{ name: string; type: string }>()).map((c) => [c.name, c.type]));
  if (columns.size === 0) {
    throw new SourceLayoutError(`${source === 'audit' ? 'audit log' : 'Event'} table ${table} does not exist (create it with \`reindex migrate\`, or name another table)`);
  }
  const keyRs = await client.query({
    query: 'SELECT sorting_key FROM system.tables WHERE database = {db:String} AND name = {table:String}',
    query_params: params,
    format: 'JSONEachRow',
  });
  const sortingKey = ((await keyRs.json<{ sorting_key: string }>())[0]?.sorting_key ?? '').split(',').map((s) => s.trim());

  const pick = (role: 'time' | 'id', override: string | undefined, fits: (type: string) => boolean): string => {
    const wanted = override ? [override] : CANDIDATES[source][role];
    const present = wanted.filter((name) => columns.has(name));
    if (present.length === 0) {
      throw new SourceLayoutError(`${table} has no ${role} column ${wanted.join(' or ')}`);
    }
    // Both layouts' names present: the one the sorting key uses is the one meant.
    const chosen = present.find((name) => sortingKey.includes(name)) ?? present[0]!;
    const type = columns.get(chosen)!;
    if (!fits(type)) throw new SourceLayoutError(`${table} column ${chosen} has type ${type}, not usable as the ${role} column`);
    return chosen;
  };
  if (columns.get('event_json') === undefined) throw new SourceLayoutError(`${table} has no event_json column`);
  const time = pick('time', overrides.time, (type) => /^DateTime(64)?(\(|$)/.test(type));
  const id = pick('id', overrides.id, (type) => /^(UUID|String|LowCardinality\(String\)|FixedString\(\d+\))$/.test(type));
  const timePrefix = TIME_BUCKET_FUNCTIONS.find((fn) => sortingKey[0] === `${fn}(${time})`);
  return { table, time, id, idType: columns.get(id) === 'UUID' ? 'UUID' : 'String', ...(timePrefix ? { timePrefix } : {}) };
}

/** Query parameters naming the layout's table and columns, for `{db:Identifier}.{table:Identifier}`, `{time:Identifier}`, `{id:Identifier}`. */
export function layoutParams(layout: SourceLayout): { db: string; table: string; time: string; id: string } {
  return { ...tableParams(layout.table), time: layout.time, id: layout.id };
}
