import { parseDuration } from '../../shared/nats/parse-duration.js';
import { DEFAULT_SUBJECT_PREFIX } from '../../shared/nats/activity-subject.js';
import { globalOptions } from '../global-options.js';
import { UsageError } from '../usage-error.js';
import type { RegisterCommand } from './command.js';

interface NatsSetupOptions {
  stream?: string;
  subjects: string;
  replicas: string;
  duplicateWindow?: string;
  maxBytes: string;
  maxMsgSize: string;
  maxAge: string;
  force: boolean;
}

const BYTE_UNITS: Record<string, number> = { '': 1, b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4, kb: 1e3, mb: 1e6, gb: 1e9 };

/** `1GiB`, `512MiB`, `1048576` → bytes; undefined when unreadable. */
export function parseBytes(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$/.exec(text);
  const unit = m ? BYTE_UNITS[m[2]!.toLowerCase()] : undefined;
  return m && unit ? Math.round(Number(m[1]) * unit) : undefined;
}

/**
 * `reindex nats-setup`: creates the production ACTIVITIES_REINDEX stream of
 * DESIGN.md §4.3 (or updates ours to it); safe to run again. Never lowers an
 * existing stream's replicas or limits: it prints the difference and stops,
 * unless `--force`.
 */
export const registerNatsSetup: RegisterCommand = (program, setExitCode) => {
  program
    .command('nats-setup')
    .description('Create or update the JetStream stream the window function publishes to (idempotent; never lowers limits without --force)')
    // The NATS client (and stream-config.ts, which needs it) loads when the
    // command runs, not at start, so the stream and duplicate-window
    // defaults are filled in then; cli/lazy-imports.test.ts holds this help text to
    // stream-config.ts's values.
    .option('--stream <name>', 'stream name (env REINDEX_STREAM, default ACTIVITIES_REINDEX)')
    .option('--subjects <list>', 'comma-separated subjects', `${process.env.REINDEX_SUBJECT_PREFIX ?? DEFAULT_SUBJECT_PREFIX}.>`)
    .option('--replicas <n>', 'stream replicas (1..5)', '1')
    .option('--duplicate-window <duration>', 'how long Msg-Ids are remembered, e.g. 2m, 10m, 1h (default 5m)')
    .option('--max-bytes <size>', 'stream size limit; the oldest messages go past it (discard: old)', '1GiB')
    .option('--max-msg-size <size>', 'largest message the stream takes', '1MiB')
    .option('--max-age <duration>', 'how long messages are kept', '7d')
    .option('--force', 'apply changes that lower an existing stream’s replicas or limits', false)
    .action(async (opts: NatsSetupOptions, command) => {
      const [{ jetstreamManager }, { millis }, { connectNats }, { describeChange, ensureStream, StreamLoweringError }, { DEFAULT_DUPLICATE_WINDOW_MS, DEFAULT_STREAM }] =
        await Promise.all([
          import('@nats-io/jetstream'),
          import('@nats-io/transport-node'),
          import('../../shared/nats/connect-nats.js'),
          import('../../shared/nats/ensure-stream.js'),
          import('../../shared/nats/stream-config.js'),
        ]);
      const stream = opts.stream ?? process.env.REINDEX_STREAM ?? DEFAULT_STREAM;
      const duplicateWindow = opts.duplicateWindow ?? `${DEFAULT_DUPLICATE_WINDOW_MS / 60_000}m`;
      const replicas = Number(opts.replicas);
      if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5) throw new UsageError(`--replicas must be 1..5, got ${opts.replicas}`);
      const duplicateWindowMs = parseDuration(duplicateWindow);
      if (duplicateWindowMs === undefined || duplicateWindowMs <= 0) {
        throw new UsageError(`--duplicate-window must be a duration such as 2m or 90s, got ${duplicateWindow}`);
      }
      const maxAgeMs = parseDuration(opts.maxAge);
      if (maxAgeMs === undefined || maxAgeMs <= 0) throw new UsageError(`--max-age must be a duration such as 7d or 24h, got ${opts.maxAge}`);
      const maxBytes = parseBytes(opts.maxBytes);
      if (!maxBytes) throw new UsageError(`--max-bytes must be a size such as 1GiB or 512MiB, got ${opts.maxBytes}`);
      const maxMsgSize = parseBytes(opts.maxMsgSize);
      if (!maxMsgSize) throw new UsageError(`--max-msg-size must be a size such as 1MiB, got ${opts.maxMsgSize}`);
      const subjects = opts.subjects.split(',').map((s) => s.trim()).filter(Boolean);
      if (subjects.length === 0) throw new UsageError('--subjects must name at least one subject');
      const url = globalOptions(command).natsUrl ?? 'nats://127.0.0.1:4222';
      const nc = await connectNats(url, { name: 'reindex-nats-setup' });
      try {
        const jsm = await jetstreamManager(nc);
        let result;
        try {
          result = await ensureStream(jsm, { name: stream, subjects, replicas, duplicateWindowMs, maxAgeMs, maxBytes, maxMsgSize }, opts.force);
        } catch (err) {
          if (!(err instanceof StreamLoweringError)) throw err;
          for (const c of err.changes) process.stdout.write(`  ${describeChange(c)}\n`);
          process.stderr.write(`reindex: ${err.message}\n`);
          setExitCode(1);
          return;
        }
        const { action, config, changes } = result;
        for (const c of changes) process.stdout.write(`  ${describeChange(c)}\n`);
        process.stdout.write(
          `stream ${config.name} ${action}: subjects ${config.subjects.join(',')}, replicas ${config.num_replicas}, ` +
            `duplicate window ${millis(config.duplicate_window) / 1000}s, max age ${millis(config.max_age) / 3_600_000}h, ` +
            `max bytes ${config.max_bytes}, max message ${config.max_msg_size}, discard ${config.discard}, ${config.storage} storage\n`,
        );
      } finally {
        await nc.close();
      }
    });
};
