import { UsageError } from '../usage-error.js';
import type { RegisterCommand } from './command.js';

interface BenchCommandOptions {
  events: string;
  batchSize: string;
  parallelism: string;
  rounds: string;
  auditEventBytes?: string;
  json: boolean;
  cpuProf?: string;
  controlPlane: boolean;
  windows: string;
  statusWriteIntervalMs: string;
  maxOldSpaceMb?: string;
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
    .option('--batch-size <n>', "the job's batchSize, the unit of rate and progress (pages are the reader's, by bytes); windows hold about 10 batches", '1000')
    .option('--parallelism <n>', 'windows in flight, for both paths', '4')
    .option('--rounds <n>', 'runs per path, alternating; the median of each counts', '3')
    .option('--audit-event-bytes <n>', 'pad each audit log to about n bytes (memory: compare --batch-size 100 and 10000)')
    .option('--cpu-prof <dir>', 'write CPU profiles of the benchmark processes (I/O-only, window function, local flow, publish-only) (node --cpu-prof) into dir')
    .option('--json', 'print the result as one JSON object on the last line', false)
    .option('--control-plane', 'instead: time the controller, broker and aggregator over a window function that answers at once (no ClickHouse)', false)
    .option('--windows <n>', 'with --control-plane: windows in the job', '1000')
    .option('--status-write-interval-ms <n>', "with --control-plane: the aggregator's status write interval", '1000')
    .option('--max-old-space-mb <n>', "with --control-plane: the controller's and aggregator's V8 heap cap (default: their manifests' NODE_OPTIONS, as deployed)")
    .action(async (opts: BenchCommandOptions, command: { getOptionValueSource(key: string): string | undefined }) => {
      if (opts.controlPlane) {
        const windows = positiveInt('--windows', opts.windows, 1_000_000);
        // The control plane's own default is the CRD's maximum parallelism; the window bench's is 4.
        const parallelism = command.getOptionValueSource('parallelism') === 'cli' ? positiveInt('--parallelism', opts.parallelism, 256) : 256;
        const statusWriteIntervalMs = positiveInt('--status-write-interval-ms', opts.statusWriteIntervalMs, 60_000);
        const { formatControlPlane, runControlPlane } = await import('../../bench/control-plane.js');
        let shown = -1;
        const result = await runControlPlane({
          windows,
          parallelism,
          statusWriteIntervalMs,
          ...(opts.maxOldSpaceMb ? { maxOldSpaceMb: positiveInt('--max-old-space-mb', opts.maxOldSpaceMb, 65_536) } : {}),
          onProgress: (job) => {
            const done = (job.status?.windows?.completed ?? 0) + (job.status?.windows?.failed ?? 0);
            if (done - shown >= windows / 10 || (done === windows && shown !== done)) {
              shown = done;
              process.stderr.write(`${done}/${windows} windows\n`);
            }
          },
        });
        process.stdout.write(`${opts.json ? JSON.stringify({ ...result, job: { status: result.job.status } }) : formatControlPlane(result)}\n`);
        return;
      }
      const events = positiveInt('--events', opts.events);
      const batchSize = positiveInt('--batch-size', opts.batchSize, 100_000);
      const parallelism = positiveInt('--parallelism', opts.parallelism, 256);
      const rounds = positiveInt('--rounds', opts.rounds, 20);
      const auditEventBytes = opts.auditEventBytes === undefined ? undefined : positiveInt('--audit-event-bytes', opts.auditEventBytes, 10_000_000);
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
        auditEventBytes,
        cpuProfDir: opts.cpuProf,
        onStep: (message) => process.stderr.write(`${message}\n`),
      });
      process.stdout.write(`${opts.json ? JSON.stringify(benchJson(result)) : formatBench(result)}\n`);
    });
};
