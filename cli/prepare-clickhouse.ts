import type { ClickHouseClient } from '@clickhouse/client';
import { runMigrations } from '../migrations/run-migrations.js';
import { SourceLayoutError, sourceLayout } from '../shared/clickhouse/source-layout.js';
import type { SourceTables } from '../shared/clickhouse/source-tables.js';
import { tableParams } from '../shared/clickhouse/table-params.js';

/**
 * Before a local run: the embedded engine (our own data directory) is
 * migrated, as is a configured server when the operator asked (`--setup`).
 * A configured server is otherwise only read: every table the run needs must
 * be there already, or the run stops in one line naming what is missing and
 * the command that creates it (DESIGN.md §4.4).
 */
export async function prepareClickHouse(
  client: ClickHouseClient,
  tables: SourceTables,
  opts: { configured: boolean; setup: boolean },
): Promise<void> {
  if (!opts.configured || opts.setup) {
    await runMigrations(client);
    return;
  }
  try {
    await sourceLayout(client, tables, 'audit');
    await sourceLayout(client, tables, 'event');
  } catch (err) {
    if (err instanceof SourceLayoutError) throw new SourceLayoutError(`${err.message}; or run with --setup`);
    throw err;
  }
  const rs = await client.query({
    query: 'SELECT count() AS n FROM system.tables WHERE database = {db:String} AND name = {table:String}',
    query_params: tableParams(tables.activities),
    format: 'JSONEachRow',
  });
  if (Number((await rs.json<{ n: string | number }>())[0]?.n ?? 0) === 0) {
    throw new SourceLayoutError(`activities table ${tables.activities} does not exist (create it with \`reindex migrate\`, or run with --setup)`);
  }
}
