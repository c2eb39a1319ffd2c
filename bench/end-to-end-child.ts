// Child process: the whole local flow a user runs (`reindex run`), on the
// bench's data: it owns the embedded ClickHouse and hosts the local stack
// (Kubernetes API stand-in, controller, broker, window function, aggregator,
// sink into audit.activities) against the bench's nats-server, applies the
// demo policies and one ReindexJob over the seeded span, and times it from
// `kubectl apply` to every activity in audit.activities. Prints one JSON
// line: { events, activities, errors, phase, elapsedMs, jobSeconds, maxRssKb }.
import { createClickHouseClient } from '../shared/clickhouse/create-clickhouse-client.js';
import { DEFAULT_TABLES } from '../shared/clickhouse/source-tables.js';
import { demoPolicies } from '../shared/demo/demo-policies.js';
import { silentLogger } from '../shared/log.js';
import { startLocalStack } from '../local/local-stack.js';
import { runLocalJob } from '../local/run-local-job.js';

export interface EndToEndParams {
  dataDir: string;
  natsUrl: string;
  from: string;
  to: string;
  batchSize: number;
  parallelism: number;
  dryRun: boolean;
  jobName: string;
}

const p = JSON.parse(process.argv[2] ?? '{}') as EndToEndParams;
const clickhouse = createClickHouseClient({ dataDir: p.dataDir });
// The bench's rows sit at a fixed date (the same --events, the same rows):
// let the controller take a range that old.
const stack = await startLocalStack({ clickhouse, tables: DEFAULT_TABLES, log: silentLogger, natsUrl: p.natsUrl, statusPage: false, retentionDays: 100_000 });
try {
  // A first query outside the clock, as the other paths do.
  await clickhouse.ping();
  const started = performance.now();
  // Where the time goes: until the controller started the job, until it
  // finished, and the sink's drain after.
  let runningAt: number | undefined;
  let finishedAt: number | undefined;
  const job = await runLocalJob(stack, {
    onProgress: (j) => {
      const phase = j.status?.phase;
      if (runningAt === undefined && phase !== undefined && phase !== 'Pending') runningAt = performance.now();
      if (finishedAt === undefined && (phase === 'Succeeded' || phase === 'Failed')) finishedAt = performance.now();
    },
    name: p.jobName,
    spec: {
      timeRange: { startTime: p.from, endTime: p.to },
      config: { batchSize: p.batchSize, parallelism: p.parallelism, rateLimit: 1_000_000, dryRun: p.dryRun },
    },
    policies: demoPolicies,
    pollMs: 50,
  });
  const elapsedMs = performance.now() - started;
  const progress = job.status?.progress;
  const { startedAt, completedAt } = job.status ?? {};
  process.stdout.write(
    `${JSON.stringify({
      events: progress?.processedEvents ?? 0,
      activities: progress?.activitiesGenerated ?? 0,
      errors: progress?.errors ?? 0,
      phase: job.status?.phase,
      message: job.status?.message,
      elapsedMs,
      phasesMs: {
        start: Math.round((runningAt ?? started) - started),
        run: Math.round((finishedAt ?? started) - (runningAt ?? started)),
        drain: Math.round(started + elapsedMs - (finishedAt ?? started)),
      },
      jobSeconds: startedAt && completedAt ? (Date.parse(completedAt) - Date.parse(startedAt)) / 1000 : undefined,
      maxRssKb: process.resourceUsage().maxRSS,
    })}\n`,
  );
} finally {
  await stack.close();
  await clickhouse.close();
}
