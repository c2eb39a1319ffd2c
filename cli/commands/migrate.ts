import { globalOptions } from '../global-options.js';
import type { RegisterCommand } from './command.js';

/** `reindex migrate [--cluster <name>]`: apply the ClickHouse migrations not applied yet. */
export const registerMigrate: RegisterCommand = (program) => {
  program
    .command('migrate')
    .description('Create or update the ClickHouse tables (audit logs, Events, activities); safe to run again')
    .option('--cluster <name>', 'render ON CLUSTER <name> and Replicated engines')
    .action(async (opts: { cluster?: string }, command) => {
      const g = globalOptions(command);
      // Loaded when the command runs, not at start (see run.ts).
      const [{ runMigrations }, { createClickHouseClient }] = await Promise.all([
        import('../../migrations/run-migrations.js'),
        import('../../shared/clickhouse/create-clickhouse-client.js'),
      ]);
      const client = createClickHouseClient({
        url: g.clickhouseUrl, user: g.clickhouseUser, password: g.clickhousePassword, database: g.clickhouseDatabase, dataDir: g.dataDir,
      });
      try {
        const { applied, alreadyApplied } = await runMigrations(client, { cluster: opts.cluster });
        for (const file of applied) process.stdout.write(`applied ${file}\n`);
        process.stdout.write(`${applied.length} applied, ${alreadyApplied.length} already applied\n`);
      } finally {
        await client.close();
      }
    });
};
