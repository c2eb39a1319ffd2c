import type { ClickHouseClient } from '@clickhouse/client';
import { runMigrations } from '../migrations/run-migrations.js';
import { SourceLayoutError, sourceLayout } from '../shared/clickhouse/source-layout.js';
import type { SourceTables } from '../shared/clickhouse/source-tables.js';
import { tableExists } from '../shared/clickhouse/table-exists.js';

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
  if (!(await tableExists(client, tables.activities))) {
    throw new SourceLayoutError(`activities table ${tables.activities} does not exist (create it with \`reindex migrate\`, or run with --setup)`);
  }
}
