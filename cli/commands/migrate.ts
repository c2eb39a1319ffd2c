import { globalOptions } from '../global-options.js';
import type { RegisterCommand } from './command.js';

/**
 * `reindex migrate [--cluster <name>]`: says what the database is and what
 * it will do, then applies the pending migrations, but only to an empty
 * database or one it laid out itself (DESIGN.md §4.4): a database of the
 * Activity system is left exactly as it is.
 */
export const registerMigrate: RegisterCommand = (program, setExitCode) => {
  program
    .command('migrate')
    .description('Create or update the embedded layout (audit logs, Events, activities); never touches a database of the Activity system')
    .option('--cluster <name>', 'render ON CLUSTER <name> and Replicated engines')
    .action(async (opts: { cluster?: string }, command) => {
      // Loaded when the command runs, not at start (see run.ts).
      const [{ applyMigrations, planMigrations }, { openClickHouse }] = await Promise.all([
        import('../../migrations/run-migrations.js'),
        import('../open-clickhouse.js'),
      ]);
      const client = openClickHouse(globalOptions(command));
      const say = (line: string) => process.stdout.write(`${line}\n`);
      try {
        const plan = await planMigrations(client);
        say(`database: ${plan.reason}`);
        if (plan.kind === 'activity-system' || plan.kind === 'unknown') {
          say('changing nothing: reindex migrate only creates the embedded layout in an empty database or one it laid out');
          // An unknown layout is for the operator to sort out; the Activity system's is fine as it is.
          if (plan.kind === 'unknown') setExitCode(1);
          return;
        }
        say(plan.pending.length > 0 ? `will apply: ${plan.pending.join(', ')}` : 'nothing to apply');
        const result = await applyMigrations(client, plan, { cluster: opts.cluster });
        for (const file of result.applied) say(`applied ${file}`);
        for (const r of result.rebuilt) {
          say(`rebuilt ${r.table} in the new layout by copy (${r.rows} rows, counts verified)${r.keptAs ? `; the old table is kept as ${r.keptAs}` : ''}`);
        }
        say(`${result.applied.length} applied, ${result.alreadyApplied.length} already applied`);
      } finally {
        await client.close();
      }
    });
};
