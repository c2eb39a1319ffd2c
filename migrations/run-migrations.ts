import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClickHouseClient } from '@clickhouse/client';
import { renderMigration } from './render-migration.js';
import { splitStatements } from './split-statements.js';

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
}

const DEFAULT_DIR = fileURLToPath(new URL('.', import.meta.url));

// The ledger lives beside the tables it describes; the runner creates both
// the database and the ledger, so migration 001 can assume nothing.
const BOOTSTRAP = `
CREATE DATABASE IF NOT EXISTS audit {{ON_CLUSTER}};
CREATE TABLE IF NOT EXISTS audit.schema_migrations {{ON_CLUSTER}}
(
    version UInt32,
    name String,
    checksum String,
    applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = {{REPLICATED}}MergeTree
ORDER BY version;
`;

interface MigrationFile {
  version: number;
  file: string;
  sql: string;
  checksum: string;
}

/**
 * Applies, in order, every `NNN_name.sql` of `dir` that the
 * `audit.schema_migrations` ledger does not list yet. Refuses before touching
 * anything when an applied file's checksum changed: editing history would
 * leave servers that ran the old text and servers that run the new one apart.
 * Safe to run twice. Not safe to run concurrently against one server.
 */
export async function runMigrations(
  client: ClickHouseClient,
  opts: { cluster?: string; dir?: string } = {},
): Promise<MigrationResult> {
  const files = readMigrationFiles(opts.dir ?? DEFAULT_DIR);
  for (const statement of splitStatements(renderMigration(BOOTSTRAP, opts.cluster))) {
    await client.command({ query: statement });
  }
  const ledger = await readLedger(client);
  for (const m of files) {
    const recorded = ledger.get(m.version);
    if (recorded && recorded.checksum !== m.checksum) {
      throw new Error(
        `Migration ${m.file} was changed after it was applied (recorded checksum ${recorded.checksum.slice(0, 12)}, ` +
          `file now ${m.checksum.slice(0, 12)}): restore the applied text and put the change in a new migration`,
      );
    }
  }
  const result: MigrationResult = { applied: [], alreadyApplied: [] };
  for (const m of files) {
    if (ledger.has(m.version)) {
      result.alreadyApplied.push(m.file);
      continue;
    }
    for (const statement of splitStatements(renderMigration(m.sql, opts.cluster))) {
      try {
        await client.command({ query: statement });
      } catch (err) {
        throw new Error(`Migration ${m.file} failed: ${(err as Error).message}`, { cause: err });
      }
    }
    await client.insert({
      table: 'audit.schema_migrations',
      values: [{ version: m.version, name: m.file, checksum: m.checksum }],
      format: 'JSONEachRow',
    });
    result.applied.push(m.file);
  }
  return result;
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

async function readLedger(client: ClickHouseClient): Promise<Map<number, { name: string; checksum: string }>> {
  const rs = await client.query({
    query: 'SELECT version, name, checksum FROM audit.schema_migrations ORDER BY version',
    format: 'JSONEachRow',
  });
  const rows = await rs.json<{ version: number; name: string; checksum: string }>();
  return new Map(rows.map((r) => [Number(r.version), { name: r.name, checksum: r.checksum }]));
}
