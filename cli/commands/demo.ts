import type { ReindexJobSpec } from '../../shared/api/reindex-job.js';
import { globalOptions } from '../global-options.js';
import { UsageError } from '../usage-error.js';
import type { RegisterCommand } from './command.js';

interface DemoOptions {
  events: string;
  days: string;
  dryRun: boolean;
  json: boolean;
}

/**
 * `reindex demo`: what `npm start` runs. Demo data and demo policies, one
 * ReindexJob over all of it through the local broker and functions, with a
 * progress bar, then the summary and the newest activities.
 */
export const registerDemo: RegisterCommand = (program, setExitCode) => {
  program
    .command('demo')
    .description('Run a real reindex end to end on demo data: local broker, controller, functions, NATS, ClickHouse')
    .option('--events <n>', 'demo rows to load when the source tables are empty', '20000')
    .option('--days <d>', 'spread the demo rows over the last d days', '2')
    .option('--dry-run', 'report what would change without publishing', false)
    .option('--json', 'print one JSON object with the result on stdout', false)
    .action(async (opts: DemoOptions, command) => {
      const events = Number(opts.events);
      const days = Number(opts.days);
      if (!Number.isInteger(events) || events < 1) throw new UsageError(`--events must be a positive integer, got ${opts.events}`);
      if (!(days > 0 && days <= 60)) throw new UsageError(`--days must be in (0, 60], got ${opts.days}`);
      const g = globalOptions(command);
      // Loaded when the command runs, not at start (see run.ts).
      const [{ demoPolicies }, { ensureDemoData }, { runLocalJobCommand }] = await Promise.all([
        import('../../shared/demo/demo-policies.js'),
        import('../ensure-demo-data.js'),
        import('../run-local-job-command.js'),
      ]);
      let spec: ReindexJobSpec | undefined;
      const code = await runLocalJobCommand(g, {
        name: `demo-${new Date().toISOString().slice(0, 19).replace(/[-:T]/g, '').toLowerCase()}`,
        get spec() {
          if (!spec) throw new Error('demo job spec read before the data was prepared');
          return spec;
        },
        policies: demoPolicies,
        json: opts.json,
        // The demo loads its own data: it sets up whatever it runs against.
        setup: true,
        prepare: async (clickhouse) => {
          const span = await ensureDemoData(clickhouse, g.tables, { events, days });
          // The whole stored span, end exclusive: one millisecond past the last row.
          spec = {
            timeRange: { startTime: span.first, endTime: new Date(Date.parse(span.last) + 1).toISOString() },
            // About 40 windows (batchSize × 10 events each) whatever the size, so even the
            // default demo has windows to watch and a big one is not all per-window cost.
            config: { batchSize: demoBatchSize(span.rows), rateLimit: 1_000_000, parallelism: 4, dryRun: opts.dryRun },
          };
        },
      });
      setExitCode(code);
    });
};

/** A batchSize (100..10000, windows of 10 batches) that cuts `rows` into about 40 windows. */
export function demoBatchSize(rows: number): number {
  return Math.min(10_000, Math.max(100, Math.round(rows / 400)));
}
