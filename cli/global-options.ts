import type { Command } from 'commander';

/** Flags every command accepts; each falls back to its environment variable. */
export interface GlobalOptions {
  clickhouseUrl?: string;
  clickhouseUser?: string;
  clickhousePassword?: string;
  clickhouseDatabase?: string;
  dataDir: string;
  natsUrl?: string;
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

export function globalOptions(command: Command): GlobalOptions {
  const o = command.optsWithGlobals();
  return {
    clickhouseUrl: o.clickhouseUrl ?? process.env.CLICKHOUSE_URL ?? undefined,
    clickhouseUser: o.clickhouseUser ?? process.env.CLICKHOUSE_USER ?? undefined,
    clickhousePassword: o.clickhousePassword ?? process.env.CLICKHOUSE_PASSWORD ?? undefined,
    clickhouseDatabase: o.clickhouseDatabase ?? process.env.CLICKHOUSE_DATABASE ?? undefined,
    dataDir: o.dataDir ?? process.env.REINDEX_DATA_DIR ?? './.reindex',
    natsUrl: o.natsUrl ?? process.env.NATS_URL ?? undefined,
    verbose: Boolean(o.verbose),
  };
}
