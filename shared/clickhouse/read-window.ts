import { isAscii } from 'node:buffer';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Source } from '../contracts/window-requested.js';
import type { SourceRow } from './source-row.js';
import type { SourceTables } from './source-tables.js';
import { layoutParams, sourceLayout, type SourceLayout } from './source-layout.js';
import { fromClickHouseTime, toClickHouseTime, type Instant } from './clickhouse-time.js';
import { TABLE } from './table-params.js';

/**
 * How large a page the reader asks for: its own choice (DESIGN.md §4.4), not
 * the job's batchSize, which stays the unit of rate and progress. A page
 * query costs about the same up to ~10,000 rows, so pages are large, but a
 * page's text must stay small beside the function's memory: the window
 * holds a few pages at once (read ahead, in a worker, being published), so
 * 8 MiB of text is four copies far below a 512Mi limit even for 50 KB audit
 * events (160 rows a page).
 */
export interface PageBounds {
  /** Text bytes a page aims to stay under, estimated from the rows read so far. */
  maxBytes?: number;
  /** Rows a page never exceeds. */
  maxRows?: number;
  /** Rows of the first page, read before any row size is known. */
  firstRows?: number;
}

export const DEFAULT_PAGE_BOUNDS: Readonly<Required<PageBounds>> = Object.freeze({ maxBytes: 8 * 1024 * 1024, maxRows: 10_000, firstRows: 100 });

// TabSeparatedRaw is the cheapest format to split in JS (no unescaping), so
// nothing selected may hold a tab or newline: ids are cleaned of them, and
// in event_json they can only be insignificant whitespace (JSON escapes them
// inside strings), so replacing them with spaces loses nothing.
//
// The cursor is (time, id, hash of event_json): the id alone does not tell
// rows apart (every stored version of an Event shares its uid; an audit log
// without a parsable auditID gets the zero UUID), the JSON does. Rows equal
// in all three are copies of one input and carry the same Msg-Id anyway.
// Ordering by the sorting key's leading function of time first (toStartOfHour
// in the Activity system's tables) lets ClickHouse read in key order.
function pageQuery(layout: SourceLayout, after: boolean): string {
  const hour = layout.timePrefix ? `${layout.timePrefix}({time:Identifier}), ` : '';
  return `SELECT toString({time:Identifier}, 'UTC'), replaceRegexpAll(toString({id:Identifier}), '[\\t\\n]', ' '), cityHash64(event_json) AS h,
                 replaceAll(replaceAll(event_json, '\\n', ' '), '\\t', ' ')
          FROM ${TABLE}
          WHERE {time:Identifier} >= {from:DateTime64(3, 'UTC')} AND {time:Identifier} < {to:DateTime64(3, 'UTC')}
          ${
            after
              ? `AND {time:Identifier} >= {afterTime:DateTime64(9, 'UTC')}
                 AND ({time:Identifier}, {id:Identifier}, h) > ({afterTime:DateTime64(9, 'UTC')}, {afterId:${layout.idType}}, {afterHash:UInt64})`
              : ''
          }
          ORDER BY ${hour}{time:Identifier}, {id:Identifier}, h
          LIMIT {limit:UInt32}`;
}

/**
 * The rows of one source in [from, to), a page at a time, by the cursor
 * (time, id, JSON hash): every stored row exactly once, even when many share
 * a time across a page boundary. Only the current page is held, so memory
 * does not grow with the window. A row whose event_json does not parse as a
 * JSON object comes back as an error item carrying its id. Timestamps are
 * RFC3339 UTC with the column's precision. The table's time and id columns
 * are detected (source-layout.ts).
 */
export async function* readWindowPages(
  client: ClickHouseClient,
  tables: SourceTables,
  window: { source: Source; from: Instant; to: Instant },
  bounds: PageBounds = {},
): AsyncGenerator<SourceRow[]> {
  for await (const page of readWindowTextPages(client, tables, window, bounds)) yield parsePage(page.text).rows;
}

/**
 * One page as ClickHouse sent it: `rows` lines of `time \t id \t hash \t
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
  bounds: PageBounds = {},
): AsyncGenerator<TextPage> {
  const { maxBytes, maxRows, firstRows } = { ...DEFAULT_PAGE_BOUNDS, ...bounds };
  for (const [name, value] of Object.entries({ maxBytes, maxRows, firstRows })) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`Page bound ${name} must be a positive integer, got ${value}`);
  }
  const layout = await sourceLayout(client, tables, window.source);
  const base = { ...layoutParams(layout), from: toClickHouseTime(window.from), to: toClickHouseTime(window.to) };
  let limit = Math.min(firstRows, maxRows);
  let after: { afterTime: string; afterId: string; afterHash: string } | undefined;
  for (;;) {
    const { stream } = await client.exec({
      query: `${pageQuery(layout, after !== undefined)} FORMAT TabSeparatedRaw`,
      query_params: { ...base, ...after, limit },
    });
    const text = decodePage(await readAll(stream));
    const { rows, lastStart } = countLines(text);
    if (rows > 0) yield { text, rows };
    if (rows < limit) return;
    const tab1 = text.indexOf('\t', lastStart);
    const tab2 = text.indexOf('\t', tab1 + 1);
    const tab3 = text.indexOf('\t', tab2 + 1);
    after = { afterTime: text.slice(lastStart, tab1), afterId: text.slice(tab1 + 1, tab2), afterHash: text.slice(tab2 + 1, tab3) };
    // Rows of a window are alike in size: size the next page by this one's.
    limit = Math.max(1, Math.min(maxRows, Math.floor(maxBytes / (text.length / rows))));
  }
}

async function readAll(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

// A page's bytes as text, decoded whole. The client's own text() decodes
// chunk by chunk through a streaming TextDecoder, ~5x slower than this on
// pages of audit JSON, which are nearly always ASCII: then Latin-1 decoding
// gives the same string, at memory speed; anything else decodes as UTF-8.
function decodePage(bytes: Buffer): string {
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
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

/**
 * A page in pieces of at most `rows` lines, in order, each a `TextPage` of
 * its own: the window evaluates and counts a large page batch by batch.
 * Only the text is cut (at newlines, as `countLines` sees lines), never parsed.
 */
export function* splitTextPage(page: TextPage, rows: number): Generator<TextPage> {
  if (!Number.isInteger(rows) || rows < 1) throw new Error(`Rows per piece must be a positive integer, got ${rows}`);
  if (page.rows <= rows) {
    yield page;
    return;
  }
  const { text } = page;
  let start = 0;
  while (start < text.length) {
    let end = start;
    let n = 0;
    while (n < rows && end < text.length) {
      const newline = text.indexOf('\n', end);
      end = newline === -1 ? text.length : newline + 1;
      n++;
    }
    yield { text: text.slice(start, end), rows: n };
    start = end;
  }
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
    const tab3 = text.indexOf('\t', tab2 + 1);
    lastTime = text.slice(start, tab1);
    lastId = text.slice(tab1 + 1, tab2);
    rows.push(toSourceRow(lastId, fromClickHouseTime(lastTime), text.slice(tab3 + 1, end)));
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
