import type { Command } from 'commander';
import { sourceTablesFromEnv, type SourceTables } from '../shared/clickhouse/source-tables.js';

/** Flags every command accepts; each falls back to its environment variable. */
export interface GlobalOptions {
  clickhouseUrl?: string;
  clickhouseUser?: string;
  clickhousePassword?: string;
  clickhouseDatabase?: string;
  dataDir: string;
  natsUrl?: string;
  /** Source and sink tables: REINDEX_AUDIT_TABLE, REINDEX_EVENTS_TABLE, REINDEX_ACTIVITIES_TABLE, else the defaults. */
  tables: SourceTables;
  verbose: boolean;
}

export function addGlobalOptions(program: Command): Command {
  return program
    .option('--clickhouse-url <url>', 'ClickHouse HTTP URL; without it the embedded engine (chDB) is used (env CLICKHOUSE_URL)')
    .option('--clickhouse-user <user>', 'ClickHouse user (env CLICKHOUSE_USER)')
    .option('--clickhouse-password <password>', 'ClickHouse password (env CLICKHOUSE_PASSWORD)')
    .option('--clickhouse-database <db>', 'ClickHouse default database (env CLICKHOUSE_DATABASE)')
    .option('--data-dir <dir>', 'data directory of the embedded engine (env REINDEX_DATA_DIR)')
    .option('--nats-url <url>', 'NATS server URL (env NATS_URL)')
    .option('--verbose', 'print stack traces and debug logs', false);
}

/** The environment is a parameter so tests can pass their own; the CLI passes process.env. */
export function globalOptions(command: Command, env: NodeJS.ProcessEnv = process.env): GlobalOptions {
  const o = command.optsWithGlobals();
  return {
    clickhouseUrl: o.clickhouseUrl ?? env.CLICKHOUSE_URL ?? undefined,
    clickhouseUser: o.clickhouseUser ?? env.CLICKHOUSE_USER ?? undefined,
    clickhousePassword: o.clickhousePassword ?? env.CLICKHOUSE_PASSWORD ?? undefined,
    clickhouseDatabase: o.clickhouseDatabase ?? env.CLICKHOUSE_DATABASE ?? undefined,
    dataDir: o.dataDir ?? env.REINDEX_DATA_DIR ?? './.reindex',
    natsUrl: o.natsUrl ?? env.NATS_URL ?? undefined,
    tables: sourceTablesFromEnv(env),
    verbose: Boolean(o.verbose),
  };
}
