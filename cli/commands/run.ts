import { readFile } from 'node:fs/promises';
import { REINDEXJOB_KIND, type ReindexJobSpec } from '../../shared/api/reindex-job.js';
import { readDiscoveryFile } from '../discovery-file.js';
import { globalOptions } from '../global-options.js';
import { UsageError } from '../usage-error.js';
import type { RegisterCommand } from './command.js';

interface RunOptions {
  file: string;
  policies: string[];
  discovery?: string;
  json: boolean;
  setup: boolean;
}

/** `reindex run -f job.yaml --policies dir…`: one ReindexJob through the local stack against the configured ClickHouse and NATS. */
export const registerRun: RegisterCommand = (program, setExitCode) => {
  program
    .command('run')
    .description('Run a ReindexJob from a file against the configured ClickHouse and NATS, without a cluster')
    .requiredOption('-f, --file <reindexjob.yaml>', 'the ReindexJob manifest (YAML or JSON)')
    .requiredOption('--policies <dir|file...>', 'ActivityPolicy files or directories')
    .option('--discovery <file>', 'JSON object "<group>/<plural>": "Kind" for resources beyond the built-in table')
    .option('--json', 'print one JSON object with the result on stdout', false)
    .option('--setup', 'on a configured ClickHouse or NATS, create what is missing (tables, stream, a durable sink consumer); without it nothing is created or changed there', false)
    .action(async (opts: RunOptions, command) => {
      const job = await readJobFile(opts.file);
      // Loaded when the command runs, not at start: `reindex --help` and the
      // other commands never pay for the local stack, and the image, which
      // leaves local/ out, still starts every command it holds.
      const [{ loadPolicyFiles }, { runLocalJobCommand }] = await Promise.all([
        import('../../shared/policy/load-policy-files.js'),
        import('../run-local-job-command.js'),
      ]);
      const policies = await loadPolicyFiles(opts.policies);
      if (policies.length === 0) throw new UsageError(`--policies ${opts.policies.join(' ')}: no ActivityPolicy found`);
      const discovery = opts.discovery ? await readDiscoveryFile(opts.discovery) : undefined;
      const code = await runLocalJobCommand(globalOptions(command), { ...job, policies, json: opts.json, discovery, setup: opts.setup });
      setExitCode(code);
    });
};

async function readJobFile(path: string): Promise<{ name: string; spec: ReindexJobSpec }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`-f ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let doc: { kind?: unknown; metadata?: { name?: unknown }; spec?: unknown };
  const { parse } = await import('yaml');
  try {
    doc = parse(text) ?? {};
  } catch (err) {
    throw new UsageError(`-f ${path}: not valid YAML: ${(err as Error).message}`);
  }
  if (doc.kind !== REINDEXJOB_KIND) throw new UsageError(`-f ${path}: expected kind ReindexJob, got ${JSON.stringify(doc.kind)}`);
  const name = doc.metadata?.name;
  if (typeof name !== 'string' || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name)) {
    throw new UsageError(`-f ${path}: metadata.name must be a DNS subdomain name, got ${JSON.stringify(name)}`);
  }
  if (typeof doc.spec !== 'object' || doc.spec === null) throw new UsageError(`-f ${path}: spec is missing`);
  // The rest of the spec is validated by the controller, as on a cluster: an invalid one ends Failed naming the field.
  return { name, spec: doc.spec as ReindexJobSpec };
}
