import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { globalOptions } from '../global-options.js';
import { UsageError } from '../usage-error.js';
import type { RegisterCommand } from './command.js';

interface UpOptions {
  events: string;
  days: string;
  json: boolean;
}

/** A kubeconfig kubectl and client-node read: one cluster, no credentials (the local API server has no auth). */
export function localKubeconfig(server: string): object {
  const name = 'reindex-local';
  return {
    apiVersion: 'v1',
    kind: 'Config',
    // client-node refuses plain HTTP unless TLS verification is off; kubectl takes it either way.
    clusters: [{ name, cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name, user: {} }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
  };
}

/**
 * `reindex up`: the whole local stack, kept up for kubectl. Jobs are applied
 * with kubectl against the kubeconfig it writes; Ctrl-C shuts it down.
 */
export const registerUp: RegisterCommand = (program, setExitCode) => {
  program
    .command('up')
    .description('Start the local stack (API server, controller, broker, functions, NATS, ClickHouse) and serve until interrupted; apply ReindexJobs with kubectl')
    .option('--events <n>', 'demo rows to load when the source tables are empty', '20000')
    .option('--days <d>', 'spread the demo rows over the last d days', '2')
    .option('--json', 'once ready, print one JSON object {kubeconfig, server, statusPage} on stdout', false)
    .action(async (opts: UpOptions, command) => {
      const events = Number(opts.events);
      const days = Number(opts.days);
      if (!Number.isInteger(events) || events < 1) throw new UsageError(`--events must be a positive integer, got ${opts.events}`);
      if (!(days > 0 && days <= 60)) throw new UsageError(`--days must be in (0, 60], got ${opts.days}`);
      const g = globalOptions(command);
      // Loaded when the command runs, not at start (see run.ts).
      const [{ stringify }, { demoPolicies }, { createLogger }, { runMigrations }, { applyReadyPolicies }, { startLocalStack }, { ensureDemoData }, { openClickHouse }] =
        await Promise.all([
          import('yaml'),
          import('../../shared/demo/demo-policies.js'),
          import('../../shared/log.js'),
          import('../../migrations/run-migrations.js'),
          import('../../local/apply-ready-policies.js'),
          import('../../local/local-stack.js'),
          import('../ensure-demo-data.js'),
          import('../open-clickhouse.js'),
        ]);
      const log = createLogger('reindex', g.verbose ? 'debug' : 'warn');
      const clickhouse = openClickHouse(g);
      try {
        await runMigrations(clickhouse);
        await ensureDemoData(clickhouse, g.tables, { events, days });
        const stack = await startLocalStack({ clickhouse, tables: g.tables, log, natsUrl: g.natsUrl, maxConcurrentJobs: 2 });
        try {
          await applyReadyPolicies(stack.kubeConfig, demoPolicies);
          const kubeconfig = resolve(g.dataDir, 'kubeconfig');
          await mkdir(g.dataDir, { recursive: true });
          await writeFile(kubeconfig, stringify(localKubeconfig(stack.kube.url)), { mode: 0o600 });
          // Registered before announcing readiness, so a signal sent as soon as the line is read is not lost.
          const stopped = new Promise<string>((ok) => {
            process.once('SIGINT', () => ok('SIGINT'));
            process.once('SIGTERM', () => ok('SIGTERM'));
          });
          const statusPage = stack.statusPage?.url ?? '';
          if (opts.json) process.stdout.write(`${JSON.stringify({ kubeconfig, server: stack.kube.url, statusPage })}\n`);
          else process.stdout.write(`Ready: export KUBECONFIG=${kubeconfig}  (API server ${stack.kube.url}, status page ${statusPage}; Ctrl-C stops)\n`);
          const signal = await stopped;
          process.stderr.write(`${signal}: shutting down…\n`);
        } finally {
          await stack.close();
        }
      } finally {
        await clickhouse.close();
      }
      setExitCode(0);
    });
};
