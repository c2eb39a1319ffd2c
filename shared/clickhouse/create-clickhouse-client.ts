import { resolve } from 'node:path';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { acquireEmbeddedClient } from './embedded-clickhouse-client.js';

export interface ClickHouseOptions {
  /** HTTP(S) URL of a ClickHouse server; without it, the embedded engine. */
  url?: string;
  user?: string;
  password?: string;
  database?: string;
  /** Data directory of the embedded engine (ignored with `url`). */
  dataDir: string;
}

/**
 * A ClickHouse client for a server (`url`) or for the process's embedded
 * chDB engine. Callers cannot tell which: every query in this project names
 * its tables in full, so `database` only matters on a server.
 */
export function createClickHouseClient(opts: ClickHouseOptions): ClickHouseClient {
  if (opts.url) {
    return createClient({
      url: opts.url,
      username: opts.user,
      password: opts.password,
      database: opts.database,
      application: 'activity-reindex',
    });
  }
  return acquireEmbeddedClient(resolve(opts.dataDir));
}

export function clickHouseOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): ClickHouseOptions {
  return {
    url: env.CLICKHOUSE_URL || undefined,
    user: env.CLICKHOUSE_USER || undefined,
    password: env.CLICKHOUSE_PASSWORD || undefined,
    database: env.CLICKHOUSE_DATABASE || undefined,
    dataDir: env.REINDEX_DATA_DIR || './.reindex',
  };
}
