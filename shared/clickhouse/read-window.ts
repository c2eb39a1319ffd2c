import type { ClickHouseClient } from '@clickhouse/client';
import type { Source } from '../contracts/window-requested.js';
import type { SourceRow } from './source-row.js';
import { sourceIdColumn, sourceTable, type SourceTables } from './source-tables.js';
import { fromClickHouseTime, toClickHouseTime, type Instant } from './clickhouse-time.js';
import { TABLE, tableParams } from './table-params.js';

// TabSeparatedRaw is the cheapest format to split in JS (no unescaping), so
// nothing selected may hold a tab or newline: the migrations keep ids free of
// them, and in event_json they can only be insignificant whitespace (JSON
// escapes them inside strings), so replacing them with spaces loses nothing.
function pageQuery(source: Source, after: boolean): string {
  const id = sourceIdColumn(source);
  return `SELECT toString(timestamp), ${id}, replaceAll(replaceAll(event_json, '\\n', ' '), '\\t', ' ')
          FROM ${TABLE}
          WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
          ${after ? `AND (timestamp, ${id}) > ({afterTime:DateTime64(6, 'UTC')}, {afterId:String})` : ''}
          ORDER BY timestamp, ${id}
          LIMIT {limit:UInt32}`;
}

/**
 * The rows of one source in [from, to), a page at a time, by the cursor
 * (timestamp, id): every row exactly once, even when many share a timestamp
 * across a page boundary. Only the current page is held, so memory does not
 * grow with the window. A row whose event_json does not parse as a JSON
 * object comes back as an error item carrying its id. Timestamps are RFC3339
 * UTC with the column's precision (microseconds for our tables).
 */
export async function* readWindowPages(
  client: ClickHouseClient,
  tables: SourceTables,
  window: { source: Source; from: Instant; to: Instant },
  pageSize: number,
): AsyncGenerator<SourceRow[]> {
  for await (const page of readWindowTextPages(client, tables, window, pageSize)) yield parsePage(page.text).rows;
}

/**
 * One page as ClickHouse sent it: `rows` lines of `timestamp \t id \t
 * event_json`, unparsed, for a caller that splits and parses them elsewhere
 * (`parsePageRows`, e.g. in a worker thread). Same pages, same cursor as
 * `readWindowPages`; only the last line is split here.
 */
export interface TextPage {
  text: string;
  rows: number;
}

export async function* readWindowTextPages(
  client: ClickHouseClient,
  tables: SourceTables,
  window: { source: Source; from: Instant; to: Instant },
  pageSize: number,
): AsyncGenerator<TextPage> {
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new Error(`Page size must be a positive integer, got ${pageSize}`);
  const base = {
    ...tableParams(sourceTable(tables, window.source)),
    from: toClickHouseTime(window.from),
    to: toClickHouseTime(window.to),
    limit: pageSize,
  };
  let after: { afterTime: string; afterId: string } | undefined;
  for (;;) {
    const rs = await client.query({
      query: pageQuery(window.source, after !== undefined),
      query_params: after ? { ...base, ...after } : base,
      format: 'TabSeparatedRaw',
    });
    const text = await rs.text();
    const { rows, lastStart } = countLines(text);
    if (rows > 0) yield { text, rows };
    if (rows < pageSize) return;
    const tab1 = text.indexOf('\t', lastStart);
    const tab2 = text.indexOf('\t', tab1 + 1);
    after = { afterTime: text.slice(lastStart, tab1), afterId: text.slice(tab1 + 1, tab2) };
  }
}

// Lines as parsePage splits them: each ends at a newline or at the end.
function countLines(text: string): { rows: number; lastStart: number } {
  let rows = 0;
  let lastStart = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    rows++;
    lastStart = start;
    start = end + 1;
  }
  return { rows, lastStart };
}

/** The rows of a `TextPage`, exactly as `readWindowPages` yields them. */
export function parsePageRows(text: string): SourceRow[] {
  return parsePage(text).rows;
}

function parsePage(text: string): { rows: SourceRow[]; lastTime: string; lastId: string } {
  const rows: SourceRow[] = [];
  let lastTime = '';
  let lastId = '';
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const tab1 = text.indexOf('\t', start);
    const tab2 = text.indexOf('\t', tab1 + 1);
    lastTime = text.slice(start, tab1);
    lastId = text.slice(tab1 + 1, tab2);
    rows.push(toSourceRow(lastId, fromClickHouseTime(lastTime), text.slice(tab2 + 1, end)));
    start = end + 1;
  }
  return { rows, lastTime, lastId };
}

function toSourceRow(id: string, timestamp: string, json: string): SourceRow {
  let event: unknown;
  try {
    event = JSON.parse(json);
  } catch (err) {
    return { id, timestamp, error: `Malformed event_json: ${(err as Error).message}` };
  }
  if (event === null || typeof event !== 'object' || Array.isArray(event)) {
    return { id, timestamp, error: 'Malformed event_json: not a JSON object' };
  }
  return { id, timestamp, event };
}
