import { globalOptions } from '../global-options.js';
import { UsageError } from '../usage-error.js';
import type { RegisterCommand } from './command.js';

interface DemoDataOptions {
  events: string;
  days: string;
  seed: string;
}

/** `reindex demo-data --events <n> [--days <d>]`: load realistic audit logs and Events spread over the last d days. */
export const registerDemoData: RegisterCommand = (program) => {
  program
    .command('demo-data')
    .description('Load demo audit logs and Kubernetes Events into ClickHouse (migrates first)')
    .requiredOption('--events <n>', 'rows to load, audit logs and Events together (about 70% / 30%)')
    .option('--days <d>', 'spread the rows over the last d days (1..60)', '7')
    .option('--seed <n>', 'random seed; the same seed loads the same rows', '42')
    .action(async (opts: DemoDataOptions, command) => {
      const events = Number(opts.events);
      const days = Number(opts.days);
      const seed = Number(opts.seed);
      if (!Number.isInteger(events) || events < 1) throw new UsageError(`--events must be a positive integer, got ${opts.events}`);
      // Sixty days is the retention: older rows would fall outside any job's range.
      if (!(days > 0 && days <= 60)) throw new UsageError(`--days must be in (0, 60], got ${opts.days}`);
      if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got ${opts.seed}`);
      const g = globalOptions(command);
      // Loaded when the command runs, not at start (see run.ts).
      const [{ runMigrations }, { openClickHouse }, { loadDemoData }] = await Promise.all([
        import('../../migrations/run-migrations.js'),
        import('../open-clickhouse.js'),
        import('../../shared/demo/load-demo-data.js'),
      ]);
      const client = openClickHouse(g);
      try {
        await runMigrations(client);
        const started = Date.now();
        let reported = 0;
        const counts = await loadDemoData(client, g.tables, {
          events, days, seed, now: new Date(),
          onProgress: (loaded) => {
            if (process.stderr.isTTY && loaded - reported >= events / 20) {
              reported = loaded;
              process.stderr.write(`\rloaded ${loaded}/${events}`);
            }
          },
        });
        if (process.stderr.isTTY && reported > 0) process.stderr.write('\n');
        process.stdout.write(
          `loaded ${counts.auditLogs} audit logs into ${g.tables.auditLogs} and ${counts.k8sEvents} Events into ` +
            `${g.tables.k8sEvents} over the last ${days} days in ${((Date.now() - started) / 1000).toFixed(1)}s\n`,
        );
      } finally {
        await client.close();
      }
    });
};
