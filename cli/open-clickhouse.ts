import type { ClickHouseClient } from '@clickhouse/client';
import { createClickHouseClient } from '../shared/clickhouse/create-clickhouse-client.js';
import type { GlobalOptions } from './global-options.js';

/** The configured ClickHouse: a server with --clickhouse-url, else the embedded engine in --data-dir. */
export function openClickHouse(g: GlobalOptions): ClickHouseClient {
  return createClickHouseClient({
    url: g.clickhouseUrl,
    user: g.clickhouseUser,
    password: g.clickhousePassword,
    database: g.clickhouseDatabase,
    dataDir: g.dataDir,
  });
}
