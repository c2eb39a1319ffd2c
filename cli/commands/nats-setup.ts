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
}

/** `reindex nats-setup`: create or update the ACTIVITIES_REINDEX stream; safe to run again. */
export const registerNatsSetup: RegisterCommand = (program) => {
  program
    .command('nats-setup')
    .description('Create or update the JetStream stream the window function publishes to (idempotent)')
    // The NATS client (and stream-config.ts, which needs it) loads when the
    // command runs, not at start, so the stream and duplicate-window
    // defaults are filled in then; cli/main.test.ts holds this help text to
    // stream-config.ts's values.
    .option('--stream <name>', 'stream name (env REINDEX_STREAM, default ACTIVITIES_REINDEX)')
    .option('--subjects <list>', 'comma-separated subjects', `${process.env.REINDEX_SUBJECT_PREFIX ?? DEFAULT_SUBJECT_PREFIX}.>`)
    .option('--replicas <n>', 'stream replicas (1..5)', '1')
    .option('--duplicate-window <duration>', 'how long Msg-Ids are remembered, e.g. 2m, 10m, 1h (default 10m)')
    .action(async (opts: NatsSetupOptions, command) => {
      const [{ jetstreamManager }, { millis }, { connectNats }, { ensureStream }, { DEFAULT_DUPLICATE_WINDOW_MS, DEFAULT_STREAM }] = await Promise.all([
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
      const subjects = opts.subjects.split(',').map((s) => s.trim()).filter(Boolean);
      if (subjects.length === 0) throw new UsageError('--subjects must name at least one subject');
      const url = globalOptions(command).natsUrl ?? 'nats://127.0.0.1:4222';
      const nc = await connectNats(url, { name: 'reindex-nats-setup' });
      try {
        const jsm = await jetstreamManager(nc);
        const { action, config } = await ensureStream(jsm, { name: stream, subjects, replicas, duplicateWindowMs });
        process.stdout.write(
          `stream ${config.name} ${action}: subjects ${config.subjects.join(',')}, replicas ${config.num_replicas}, ` +
            `duplicate window ${millis(config.duplicate_window) / 1000}s, max age ${millis(config.max_age) / 3_600_000}h, ${config.storage} storage\n`,
        );
      } finally {
        await nc.close();
      }
    });
};
