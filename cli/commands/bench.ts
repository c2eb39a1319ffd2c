import { UsageError } from '../usage-error.js';
import type { RegisterCommand } from './command.js';

interface BenchCommandOptions {
  events: string;
  batchSize: string;
  parallelism: string;
  rounds: string;
  json: boolean;
  cpuProf?: string;
}

function positiveInt(flag: string, value: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`${flag} must be an integer in 1..${max}, got ${value}`);
  return n;
}

/**
 * `reindex bench [--events N] [--json]`: the I/O-only path against the full
 * path on the same fresh data (DESIGN.md §7). Always its own temp engine and
 * nats-server; the global ClickHouse and NATS flags do not apply.
 */
export const registerBench: RegisterCommand = (program) => {
  program
    .command('bench')
    .description('Measure the window function against the I/O it cannot avoid, on fresh demo data (embedded ClickHouse + nats-server)')
    .option('--events <n>', 'demo events to seed, audit logs and Events together', '100000')
    .option('--batch-size <n>', 'page size; windows hold about 10 pages', '1000')
    .option('--parallelism <n>', 'windows in flight, for both paths', '4')
    .option('--rounds <n>', 'runs per path, alternating; the median of each counts', '3')
    .option('--cpu-prof <dir>', 'write CPU profiles of the I/O-only and window function processes (node --cpu-prof) into dir')
    .option('--json', 'print the result as one JSON object on the last line', false)
    .action(async (opts: BenchCommandOptions) => {
      const events = positiveInt('--events', opts.events);
      const batchSize = positiveInt('--batch-size', opts.batchSize, 100_000);
      const parallelism = positiveInt('--parallelism', opts.parallelism, 256);
      const rounds = positiveInt('--rounds', opts.rounds, 20);
      // Loaded when the command runs, not at start (see run.ts).
      const [{ benchJson, formatBench }, { runBench }, { natsServerAvailable }] = await Promise.all([
        import('../../bench/bench-result.js'),
        import('../../bench/run-bench.js'),
        import('../../local/nats-server.js'),
      ]);
      if (!natsServerAvailable()) throw new Error('reindex bench needs nats-server on PATH (or NATS_SERVER_BIN)');
      const result = await runBench({
        events,
        batchSize,
        parallelism,
        rounds,
        cpuProfDir: opts.cpuProf,
        onStep: (message) => process.stderr.write(`${message}\n`),
      });
      process.stdout.write(`${opts.json ? JSON.stringify(benchJson(result)) : formatBench(result)}\n`);
    });
};
