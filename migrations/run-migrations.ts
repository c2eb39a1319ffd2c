import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClickHouseClient } from '@clickhouse/client';
import { tableExists } from '../shared/clickhouse/table-exists.js';
import { renderMigration } from './render-migration.js';
import { splitStatements } from './split-statements.js';

/** Our own ledger: never the Activity system's `audit.schema_migrations`. */
export const LEDGER = 'audit.reindex_schema_migrations';
/** The Activity system's ledger (its migrate.sh), and the name this runner used before it had its own. */
const SHARED_LEDGER = 'audit.schema_migrations';

/**
 * What the database is, as the runner sees it before touching anything:
 * - `empty`: none of our tables and no ledger: everything will be created;
 * - `embedded`: laid out by this runner (its ledger): pending files apply;
 * - `activity-system`: laid out by the Activity system's own migrations (its
 *   ledger, or its tables): nothing is changed here, ever;
 * - `unknown`: tables we would create exist, but no ledger says who made them.
 */
export type DatabaseKind = 'empty' | 'embedded' | 'activity-system' | 'unknown';

/** The databases this runner changes: an empty one, or one it laid out. */
function actsOn(kind: DatabaseKind): boolean {
  return kind === 'empty' || kind === 'embedded';
}

export interface MigrationPlan {
  kind: DatabaseKind;
  /** One line saying what the database is and why. */
  reason: string;
  /** Files that would be applied, in order (none unless kind is empty or embedded). */
  pending: string[];
  alreadyApplied: string[];
}

export interface MigrationResult extends MigrationPlan {
  applied: string[];
  /** Tables rebuilt by copy (a layout change): where the old rows were kept. */
  rebuilt: { table: string; rows: number; keptAs: string }[];
}

const DEFAULT_DIR = fileURLToPath(new URL('.', import.meta.url));

const BOOTSTRAP = `
CREATE DATABASE IF NOT EXISTS audit {{ON_CLUSTER}};
CREATE TABLE IF NOT EXISTS ${LEDGER} {{ON_CLUSTER}}
(
    version UInt32,
    name String,
    checksum String,
    applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = {{REPLICATED}}MergeTree
ORDER BY version;
`;

// 005 once dropped and re-created audit.activities; it was rewritten in
// place to create it only if missing (the same table either way), so
// databases that ran the old text are not refused for it.
const REWRITTEN: Record<number, string[]> = {
  5: ['fd876c3aaa9a09d58e4a40ee16f0837b1cb62e78430d1a6538ce8c08e06b0444'],
};

interface MigrationFile {
  version: number;
  file: string;
  sql: string;
  checksum: string;
}

/**
 * Reads what the database is and which files are pending, changing nothing.
 * Refuses when an applied file's checksum changed: editing history would
 * leave servers that ran the old text and servers that run the new one apart.
 */
export async function planMigrations(client: ClickHouseClient, opts: { dir?: string } = {}): Promise<MigrationPlan> {
  const files = readMigrationFiles(opts.dir ?? DEFAULT_DIR);
  const { kind, reason, ledger } = await inspectDatabase(client, files);
  for (const m of files) {
    const recorded = ledger.get(m.version);
    if (recorded && recorded.checksum !== m.checksum && !REWRITTEN[m.version]?.includes(recorded.checksum)) {
      throw new Error(
        `Migration ${m.file} was changed after it was applied (recorded checksum ${recorded.checksum.slice(0, 12)}, ` +
          `file now ${m.checksum.slice(0, 12)}): restore the applied text and put the change in a new migration`,
      );
    }
  }
  return {
    kind,
    reason,
    pending: actsOn(kind) ? files.filter((m) => !ledger.has(m.version)).map((m) => m.file) : [],
    alreadyApplied: files.filter((m) => ledger.has(m.version)).map((m) => m.file),
  };
}

/**
 * Applies, in order, every `NNN_name.sql` of `dir` that our ledger does not
 * list yet, but only on an empty database or one this runner laid out: a
 * database of the Activity system (or one nobody can vouch for) is left
 * exactly as it is, and the result says why. No table holding rows is ever
 * dropped: a migration that creates a table which already exists rebuilds it
 * by copy (create beside, copy, verify counts, swap by rename) and keeps the
 * old one under `<table>_before_<version>`; a `DROP TABLE` of a table with
 * rows is refused. Safe to run twice. Not safe to run concurrently.
 */
export async function runMigrations(client: ClickHouseClient, opts: { cluster?: string; dir?: string } = {}): Promise<MigrationResult> {
  return applyMigrations(client, await planMigrations(client, { dir: opts.dir }), opts);
}

/** Applies `plan` (planMigrations' answer, read just before with the same `dir`): for a caller that shows the plan first. */
export async function applyMigrations(client: ClickHouseClient, plan: MigrationPlan, opts: { cluster?: string; dir?: string } = {}): Promise<MigrationResult> {
  const dir = opts.dir ?? DEFAULT_DIR;
  const result: MigrationResult = { ...plan, applied: [], rebuilt: [] };
  // Whatever plan a caller passes, a database this runner did not lay out is left as it is.
  if (plan.pending.length === 0 || !actsOn(plan.kind)) return result;
  const legacy = plan.kind === 'embedded' && !(await tableExists(client, LEDGER)) ? await readLedger(client, SHARED_LEDGER) : undefined;
  for (const statement of splitStatements(renderMigration(BOOTSTRAP, opts.cluster))) await client.command({ query: statement });
  // A database laid out before this runner had its own ledger: carry its rows over.
  if (legacy && legacy.size > 0) {
    await client.insert({
      table: LEDGER,
      values: [...legacy].map(([version, r]) => ({ version, name: r.name, checksum: r.checksum })),
      format: 'JSONEachRow',
    });
  }
  const files = readMigrationFiles(dir).filter((m) => plan.pending.includes(m.file));
  for (const m of files) {
    for (const statement of splitStatements(renderMigration(m.sql, opts.cluster))) {
      try {
        const rebuilt = await runStatement(client, statement, m.version);
        if (rebuilt) result.rebuilt.push(rebuilt);
      } catch (err) {
        throw new Error(`Migration ${m.file} failed: ${(err as Error).message}`, { cause: err });
      }
    }
    await client.insert({ table: LEDGER, values: [{ version: m.version, name: m.file, checksum: m.checksum }], format: 'JSONEachRow' });
    result.applied.push(m.file);
  }
  return result;
}

const CREATE_TABLE = /^\s*CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?([A-Za-z_][\w]*\.[A-Za-z_][\w]*)/i;
const DROP_TABLE = /^\s*DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?([A-Za-z_][\w]*\.[A-Za-z_][\w]*)/i;

async function runStatement(client: ClickHouseClient, statement: string, version: number): Promise<MigrationResult['rebuilt'][number] | undefined> {
  const drop = DROP_TABLE.exec(statement);
  if (drop) {
    const rows = await countRows(client, drop[1]!);
    if (rows > 0) throw new Error(`refusing to drop ${drop[1]}: it holds ${rows} rows (rebuild it by creating the new layout instead)`);
  }
  const create = CREATE_TABLE.exec(statement);
  if (create && (await tableExists(client, create[1]!))) return rebuildByCopy(client, create[1]!, statement, version);
  await client.command({ query: statement });
  return undefined;
}

/**
 * A layout change of a table that exists: the new layout is created beside
 * it, every row copied (the columns both layouts store; the rest are
 * MATERIALIZED and recomputed), counts compared, then both swapped in one
 * RENAME. The old table is kept under `<table>_before_<version>` when it
 * holds rows, so nothing is lost even if the new layout is wrong.
 */
async function rebuildByCopy(client: ClickHouseClient, table: string, statement: string, version: number) {
  const next = `${table}__migrating`;
  const kept = `${table}_before_${String(version).padStart(3, '0')}`;
  if (await tableExists(client, next)) {
    if ((await countRows(client, next)) > 0) throw new Error(`${next} exists with rows from an earlier attempt: check and drop it, then run again`);
    await client.command({ query: `DROP TABLE ${next}` });
  }
  await client.command({ query: statement.replace(CREATE_TABLE, (m, name: string) => m.replace(name, next)) });
  const [oldColumns, newColumns] = await Promise.all([storedColumns(client, table), storedColumns(client, next)]);
  const common = newColumns.filter((c) => oldColumns.includes(c));
  if (common.length === 0) throw new Error(`${table}: the old and new layouts share no stored column; nothing could be copied`);
  const list = common.map((c) => `\`${c}\``).join(', ');
  await client.command({ query: `INSERT INTO ${next} (${list}) SELECT ${list} FROM ${table}` });
  const [before, after] = await Promise.all([countRows(client, table), countRows(client, next)]);
  if (before !== after) {
    throw new Error(
      `${table}: copied ${after} of ${before} rows into the new layout (${next}: rows past its TTL or sharing its sorting key fold away); left both as they are`,
    );
  }
  await client.command({ query: `RENAME TABLE ${table} TO ${kept}, ${next} TO ${table}` });
  if (before === 0) await client.command({ query: `DROP TABLE ${kept}` });
  return { table, rows: before, keptAs: before === 0 ? '' : kept };
}

async function inspectDatabase(
  client: ClickHouseClient,
  files: MigrationFile[],
): Promise<{ kind: DatabaseKind; reason: string; ledger: Map<number, { name: string; checksum: string }> }> {
  if (await tableExists(client, LEDGER)) {
    return { kind: 'embedded', reason: `laid out by reindex migrate (ledger ${LEDGER})`, ledger: await readLedger(client, LEDGER) };
  }
  if (await tableExists(client, SHARED_LEDGER)) {
    const shared = await readLedger(client, SHARED_LEDGER);
    const ours = new Set(files.map((f) => f.file));
    if (shared.size > 0 && [...shared.values()].every((r) => ours.has(r.name))) {
      return { kind: 'embedded', reason: `laid out by an earlier reindex migrate (ledger ${SHARED_LEDGER}, carried over to ${LEDGER})`, ledger: shared };
    }
    const versions = [...shared.keys()].sort((a, b) => a - b);
    return {
      kind: 'activity-system',
      reason: `laid out by the Activity system's migrations (its ledger ${SHARED_LEDGER} lists ${versions.length ? versions.join(', ') : 'nothing'})`,
      ledger: new Map(),
    };
  }
  const columns = await client.query({
    query: `SELECT table, name, type FROM system.columns WHERE database = 'audit' AND table IN ('audit_logs', 'k8s_events', 'activities')`,
    format: 'JSONEachRow',
  });
  const found = await columns.json<{ table: string; name: string; type: string }>();
  const has = (table: string, name: string, type?: string) => found.some((c) => c.table === table && c.name === name && (!type || c.type === type));
  if (has('audit_logs', 'audit_id', 'UUID') || has('k8s_events', 'last_timestamp') || has('k8s_events', 'inserted_at')) {
    return { kind: 'activity-system', reason: "laid out by the Activity system's migrations (its tables: audit_logs.audit_id UUID, k8s_events.last_timestamp)", ledger: new Map() };
  }
  const tables = [...new Set(found.map((c) => c.table))].sort();
  const sources = tables.filter((t) => t !== 'activities');
  if (sources.length > 0) {
    return { kind: 'unknown', reason: `audit.${sources.join(', audit.')} exist but no ledger says who created them`, ledger: new Map() };
  }
  // Only an activities table (the sink, perhaps of an older layout): ours to rebuild by copy.
  return { kind: 'empty', reason: tables.length ? 'no ledger and no source tables' : 'no ledger and none of our tables', ledger: new Map() };
}

async function countRows(client: ClickHouseClient, qualified: string): Promise<number> {
  if (!(await tableExists(client, qualified))) return 0;
  const rs = await client.query({ query: `SELECT count() AS n FROM ${qualified}`, format: 'JSONEachRow' });
  return Number((await rs.json<{ n: string | number }>())[0]?.n ?? 0);
}

// Columns a row stores (not MATERIALIZED or ALIAS): what an INSERT can carry over.
async function storedColumns(client: ClickHouseClient, qualified: string): Promise<string[]> {
  const [db, table] = qualified.split('.');
  const rs = await client.query({
    query: `SELECT name FROM system.columns WHERE database = {db:String} AND table = {table:String} AND default_kind NOT IN ('MATERIALIZED', 'ALIAS', 'EPHEMERAL') ORDER BY position`,
    query_params: { db, table },
    format: 'JSONEachRow',
  });
  return (await rs.json<{ name: string }>()).map((r) => r.name);
}

function readMigrationFiles(dir: string): MigrationFile[] {
  const files = readdirSync(dir)
    .map((file) => ({ file, match: /^(\d+)_[\w.-]+\.sql$/.exec(file) }))
    .filter((f): f is { file: string; match: RegExpExecArray } => f.match !== null)
    .map(({ file, match }) => {
      const sql = readFileSync(join(dir, file), 'utf8');
      return { version: Number(match[1]), file, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    })
    .sort((a, b) => a.version - b.version);
  for (let i = 1; i < files.length; i++) {
    if (files[i].version === files[i - 1].version) {
      throw new Error(`Migrations ${files[i - 1].file} and ${files[i].file} share version ${files[i].version}`);
    }
  }
  return files;
}

async function readLedger(client: ClickHouseClient, table: string): Promise<Map<number, { name: string; checksum: string }>> {
  const rs = await client.query({ query: `SELECT version, name, checksum FROM ${table} ORDER BY version`, format: 'JSONEachRow' });
  const rows = await rs.json<{ version: number; name: string; checksum: string }>();
  return new Map(rows.map((r) => [Number(r.version), { name: r.name, checksum: r.checksum }]));
}
