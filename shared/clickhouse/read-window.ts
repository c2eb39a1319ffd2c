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
  for await (const page of readWindowRawPages(client, tables, window, bounds)) yield parsePageRows(page.bytes);
}

/**
 * One page as ClickHouse sent it: `rows` lines of `time \t id \t hash \t
 * event_json`, undecoded bytes, for a caller that decodes and parses them
 * elsewhere (`parsePageRows`, e.g. in a worker thread, the bytes transferred
 * rather than copied as a string). Same pages, same cursor as
 * `readWindowPages`; only the last line is decoded here.
 */
export interface RawPage {
  bytes: Uint8Array;
  rows: number;
}

const NEWLINE = 10;

export async function* readWindowRawPages(
  client: ClickHouseClient,
  tables: SourceTables,
  window: { source: Source; from: Instant; to: Instant },
  bounds: PageBounds = {},
): AsyncGenerator<RawPage> {
  const { maxBytes, maxRows, firstRows } = { ...DEFAULT_PAGE_BOUNDS, ...bounds };
  for (const [name, value] of Object.entries({ maxBytes, maxRows, firstRows })) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`Page bound ${name} must be a positive integer, got ${value}`);
  }
  const layout = await sourceLayout(client, tables, window.source);
  const base = { ...layoutParams(layout), from: toClickHouseTime(window.from), to: toClickHouseTime(window.to) };
  let limit = Math.min(firstRows, maxRows);
  let after: { afterTime: string; afterId: string; afterHash: string } | undefined;
  for (;;) {
    // exec, not query: its stream is the answer's bytes as they came, which
    // the reader hands on undecoded (the client's text() decodes chunk by
    // chunk through a streaming TextDecoder, ~5x slower than decodePage).
    const { stream } = await client.exec({
      query: `${pageQuery(layout, after !== undefined)} FORMAT TabSeparatedRaw`,
      query_params: { ...base, ...after, limit },
    });
    const bytes = await readAll(stream);
    const { rows, lastStart } = countLines(bytes);
    if (rows > 0) yield { bytes, rows };
    if (rows < limit) return;
    const [afterTime, afterId, afterHash] = decodePage(bytes.subarray(lastStart)).split('\t', 3) as [string, string, string];
    after = { afterTime, afterId, afterHash };
    // Rows of a window are alike in size: size the next page by this one's.
    limit = Math.max(1, Math.min(maxRows, Math.floor(maxBytes / (bytes.length / rows))));
  }
}

// node:stream/consumers' buffer() would do, but it copies even a single
// chunk, and the embedded engine answers in one: that copy of every page,
// alive beside the engine's until collected, cost ~80 MiB of peak RSS in the
// bench (100k events).
async function readAll(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

// Bytes of a page as text. Audit JSON is nearly always ASCII: then Latin-1
// decoding gives the same string at memory speed; anything else is UTF-8.
function decodePage(bytes: Uint8Array): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return isAscii(buf) ? buf.toString('latin1') : buf.toString('utf8');
}

// Lines as parsePage splits them: each ends at a newline or at the end.
function countLines(bytes: Uint8Array): { rows: number; lastStart: number } {
  let rows = 0;
  let lastStart = 0;
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(NEWLINE, start);
    if (end === -1) end = bytes.length;
    rows++;
    lastStart = start;
    start = end + 1;
  }
  return { rows, lastStart };
}

/**
 * A page in pieces of at most `rows` lines, in order, each a `RawPage` of
 * its own (a view on the page's bytes): the window evaluates and counts a
 * large page batch by batch. Only cut (at newlines, as `countLines` sees
 * lines), never decoded.
 */
export function* splitRawPage(page: RawPage, rows: number): Generator<RawPage> {
  if (!Number.isInteger(rows) || rows < 1) throw new Error(`Rows per piece must be a positive integer, got ${rows}`);
  if (page.rows <= rows) {
    yield page;
    return;
  }
  const { bytes } = page;
  let start = 0;
  while (start < bytes.length) {
    let end = start;
    let n = 0;
    while (n < rows && end < bytes.length) {
      const newline = bytes.indexOf(NEWLINE, end);
      end = newline === -1 ? bytes.length : newline + 1;
      n++;
    }
    yield { bytes: bytes.subarray(start, end), rows: n };
    start = end;
  }
}

/** The rows of a `RawPage`'s bytes, exactly as `readWindowPages` yields them. */
export function parsePageRows(bytes: Uint8Array): SourceRow[] {
  const text = decodePage(bytes);
  const rows: SourceRow[] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const tab1 = text.indexOf('\t', start);
    const tab2 = text.indexOf('\t', tab1 + 1);
    const tab3 = text.indexOf('\t', tab2 + 1);
    rows.push(toSourceRow(text.slice(tab1 + 1, tab2), fromClickHouseTime(text.slice(start, tab1)), text.slice(tab3 + 1, end)));
    start = end + 1;
  }
  return rows;
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
