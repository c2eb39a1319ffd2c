import { stat } from 'node:fs/promises';
import { readArgFile } from '../read-arg-file.js';
import { readDiscoveryFile } from '../discovery-file.js';
import { UsageError } from '../usage-error.js';
import type { RegisterCommand } from './command.js';

interface PreviewOptions {
  policy?: string[];
  input?: string;
  discovery?: string;
}

/** `reindex preview`: what a re-index would publish for each input, without any server. */
export const registerPreview: RegisterCommand = (program) => {
  program
    .command('preview')
    .description('Evaluate ActivityPolicies against audit events or Kubernetes Events from a file; one JSON line per input')
    .option('--policy <file>', 'ActivityPolicy YAML or JSON file or directory (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--input <file>', 'one JSON object, a JSON array, or JSON lines of audit.k8s.io/v1 or Kubernetes Events')
    .option('--discovery <file>', 'JSON object "<group>/<plural>": "Kind" (default: built-in table of common resources)')
    .action(async (opts: PreviewOptions) => {
      if (!opts.policy || opts.policy.length === 0) throw new UsageError('preview needs at least one --policy <file>');
      if (!opts.input) throw new UsageError('preview needs --input <file>');
      const discovery = opts.discovery ? await readDiscoveryFile(opts.discovery) : undefined;
      for (const path of opts.policy) {
        // Files or directories; loadPolicyFiles reads both, and names the file on bad content.
        await stat(path).catch((err: NodeJS.ErrnoException) => {
          throw new UsageError(`--policy ${path}: ${err.code ?? err.message}`);
        });
      }
      const inputText = await readArgFile('--input', opts.input);
      // Loaded when the command runs, not at start (see run.ts); compiled, one bundled file.
      const { previewLines } = await import('./preview-run.js');
      const lines = await previewLines(opts.policy, opts.input, inputText, discovery);
      process.stdout.write(lines.join(''));
    });
};
