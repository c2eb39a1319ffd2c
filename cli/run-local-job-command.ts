import type { ActivityPolicy, DiscoveryTable } from '../shared/api/activity-policy.js';
import type { ReindexJob, ReindexJobSpec } from '../shared/api/reindex-job.js';
import { countActivities } from '../shared/clickhouse/count-activities.js';
import { latestActivities } from '../shared/clickhouse/latest-activities.js';
import { createLogger } from '../shared/log.js';
import { prepareClickHouse } from './prepare-clickhouse.js';
import { startLocalStack } from '../local/local-stack.js';
import { runLocalJob } from '../local/run-local-job.js';
import type { GlobalOptions } from './global-options.js';
import { formatDryRunTable } from './dry-run-table.js';
import { createJobProgressBar } from './job-progress-bar.js';
import { formatJobReport, jobReport } from './job-report.js';
import { openClickHouse } from './open-clickhouse.js';
import type { ClickHouseClient } from '@clickhouse/client';

export interface LocalJobCommand {
  name: string;
  spec: ReindexJobSpec;
  policies: ActivityPolicy[];
  json: boolean;
  discovery?: DiscoveryTable;
  /**
   * Create what is missing on configured servers (tables, stream, a durable
   * sink consumer); without it a run against them only reads and publishes.
   */
  setup?: boolean;
  /** Runs after migrations, before the job (the demo loads its data here). */
  prepare?: (clickhouse: ClickHouseClient) => Promise<void>;
}

const say = (text: string) => process.stderr.write(`${text}\n`);

/**
 * What `reindex demo` and `reindex run` share: bring up the local stack
 * against the configured ClickHouse and NATS, run one ReindexJob through it
 * with a progress bar, then report. Resolves to the exit status.
 */
export async function runLocalJobCommand(g: GlobalOptions, command: LocalJobCommand): Promise<number> {
  const log = createLogger('reindex', g.verbose ? 'debug' : 'warn');
  const { tables } = g;
  const clickhouse = openClickHouse(g);
  try {
    await prepareClickHouse(clickhouse, tables, { configured: g.clickhouseUrl !== undefined, setup: command.setup === true });
    await command.prepare?.(clickhouse);
    const stack = await startLocalStack({ clickhouse, tables, log, natsUrl: g.natsUrl, setup: command.setup, discovery: command.discovery });
    try {
      say(
        stack.destination.kind === 'nats'
          ? `Activities go to JetStream at ${stack.destination.url}${stack.destination.started ? ' (nats-server started for this run)' : ''}, and from there into ${tables.activities}.`
          : `nats-server is not installed and no --nats-url was given: activities are written straight into ${tables.activities}.`,
      );
      if (stack.statusPage) say(`Status page: ${stack.statusPage.url}`);
      const bar = createJobProgressBar();
      const started = Date.now();
      let job: ReindexJob;
      try {
        job = await runLocalJob(stack, { name: command.name, spec: command.spec, policies: command.policies, onProgress: (j) => bar.update(j) });
      } finally {
        bar.stop();
      }
      const durationMs = Date.now() - started;
      const range = countRange(job);
      const stored = range ? await countActivities(clickhouse, tables, range) : 0;
      const report = jobReport(job, durationMs, stored);
      const dryRunReport = job.spec.config?.dryRun ? job.status?.dryRunReport : undefined;
      if (command.json) {
        process.stdout.write(`${JSON.stringify(dryRunReport ? { ...report, dryRunReport } : report)}\n`);
      } else {
        process.stdout.write(`${formatJobReport(report, job)}\n`);
        if (dryRunReport) process.stdout.write(`\n${formatDryRunTable(dryRunReport, tables.activities)}\n`);
        if (range && !job.spec.config?.dryRun) {
          const latest = await latestActivities(clickhouse, tables, range, 5);
          if (latest.length > 0) process.stdout.write(`\nNewest activities in ${tables.activities}:\n`);
          for (const a of latest) {
            process.stdout.write(`  ${a.metadata.creationTimestamp}  ${a.spec.tenant.type}/${a.spec.tenant.name || '-'}  ${a.spec.summary}\n`);
          }
        }
      }
      return report.phase === 'Succeeded' ? 0 : 1;
    } finally {
      await stack.close();
    }
  } finally {
    await clickhouse.close();
  }
}

/** Activity timestamps are whole seconds: count from the second the range starts in. */
function countRange(job: ReindexJob): { from: string; to: string } | undefined {
  const r = job.status?.resolvedTimeRange;
  if (!r) return undefined;
  const from = new Date(Math.floor(Date.parse(r.startTime) / 1000) * 1000).toISOString();
  return { from, to: r.endTime };
}
