// `kubectl activity`: the kubectl plugin of the feature design. It creates and
// follows ReindexJobs through the current kubeconfig, so the same commands
// work on a cluster and against `reindex up`. Imports stay light (commander
// only) until a command runs: `kubectl activity --help` must be instant.
import { Command, CommanderError } from 'commander';
import { registerPreview } from '../commands/preview.js';
import { UsageError } from '../usage-error.js';
import type { KubeFlags } from './jobs-api.js';
import type { ReindexFlags } from './reindex-job-spec.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Runs the plugin and resolves to its exit status: 0 success (a followed job Succeeded), 1 failure, 2 bad usage. */
export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const setExitCode = (code: number) => {
    exitCode = code;
  };
  const program = new Command('kubectl activity')
    .description('Re-index activities from stored audit logs and Events: create and follow ReindexJobs')
    .option('--kubeconfig <file>', 'kubeconfig to use (default: $KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context to use')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`kubectl-activity: ${text.trim().replace(/^error: /, '')} (run with --help for usage)\n`) });
  const api = async (command: Command) => {
    const { jobsApi } = await import('./jobs-api.js');
    return jobsApi(command.optsWithGlobals() as KubeFlags);
  };

  const reindex = program
    .command('reindex')
    .description('Create a ReindexJob over a time range (or get, watch, suspend, resume, cancel one)')
    .option('--start-time <time>', 'start of the range: RFC 3339, or now-48h, now-7d, …')
    .option('--end-time <time>', 'end of the range (default: now, when the job starts)')
    .option('--policy <name>', 'ActivityPolicy to apply (repeatable; default: every Ready policy)', collect, [])
    .option('--selector <key=value>', 'select policies by label (repeatable; not with --policy)', collect, [])
    .option('--dry-run', 'report what would change, publish nothing', false)
    .option('--rate <n>', 'events per second for the whole job')
    .option('--parallelism <n>', 'windows in flight at once')
    .option('--name <name>', 'the job name (default: generated, reindex-…)')
    .option('--wait', 'show a progress bar until the job ends; exit 0 Succeeded, 1 Failed', false)
    .action(async (opts: ReindexFlags & { name?: string; wait: boolean }, command: Command) => {
      const { reindexJobSpec } = await import('./reindex-job-spec.js');
      const spec = reindexJobSpec(opts);
      const jobs = await api(command);
      const job = await jobs.create(opts.name, spec);
      const name = job.metadata.name;
      process.stderr.write(`reindexjob.activity.miloapis.com/${name} created\n`);
      if (opts.wait) setExitCode(await (await import('./follow-job.js')).followJob(jobs, name));
      else process.stdout.write(`${name}\n`);
    });

  reindex
    .command('get <name>')
    .description("print a ReindexJob's phase, progress and message")
    .option('-o, --output <format>', 'json for the whole object')
    .action(async (name: string, opts: { output?: string }, command: Command) => {
      const job = await (await api(command)).get(name);
      if (opts.output === 'json') return void process.stdout.write(`${JSON.stringify(job, null, 2)}\n`);
      if (opts.output) throw new UsageError(`--output must be json, got ${opts.output}`);
      const s = job.status ?? {};
      const p = s.progress;
      process.stdout.write(`${name}\t${s.phase ?? 'Pending'}\t${p?.percent ?? 0}%\t${p ? `${p.processedEvents}/${p.totalEvents} events, ${p.activitiesGenerated} activities, ${p.errors} errors` : ''}\t${s.message ?? ''}\n`);
    });
  reindex
    .command('watch <name>')
    .description('show a progress bar until the job ends; exit 0 Succeeded, 1 Failed')
    .action(async (name: string, _opts: unknown, command: Command) => {
      setExitCode(await (await import('./follow-job.js')).followJob(await api(command), name));
    });
  for (const [verb, suspend] of [['suspend', true], ['resume', false]] as const) {
    reindex
      .command(`${verb} <name>`)
      .description(suspend ? 'stop emitting windows; those in flight finish' : 'carry on where it stopped')
      .action(async (name: string, _opts: unknown, command: Command) => {
        await (await api(command)).setSuspend(name, suspend);
        process.stdout.write(`reindexjob.activity.miloapis.com/${name} ${verb}d\n`);
      });
  }
  reindex
    .command('cancel <name>')
    .description('delete the job: no more windows are emitted, late results are dropped')
    .action(async (name: string, _opts: unknown, command: Command) => {
      await (await api(command)).remove(name);
      process.stdout.write(`reindexjob.activity.miloapis.com/${name} cancelled\n`);
    });
  // `kubectl activity preview` and `kubectl activity reindex preview` are `reindex preview`.
  registerPreview(reindex, setExitCode);
  registerPreview(program, setExitCode);

  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    process.stderr.write(`kubectl-activity: ${err instanceof Error ? err.message : String(err)}\n`);
    return err instanceof UsageError ? 2 : 1;
  }
}
