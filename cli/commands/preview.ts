import { stat } from 'node:fs/promises';
import type { EvaluationOutcome } from '../../shared/policy/evaluation-outcome.js';
import { readArgFile } from '../read-arg-file.js';
import { readDiscoveryFile } from '../discovery-file.js';
import { UsageError } from '../usage-error.js';
import type { RegisterCommand } from './command.js';

interface PreviewOptions {
  policy?: string[];
  input?: string;
  discovery?: string;
}

/**
 * The line printed for one input: only the keys that apply to its outcome,
 * and the errors a re-index would count on the way (e.g. an event rule whose
 * match failed before another matched).
 */
export function previewLine(o: EvaluationOutcome): Record<string, unknown> {
  const errors = o.errors.length > 0 ? { errors: o.errors.map((e) => ({ policy: e.policy, rule: e.rule, message: e.message })) } : {};
  switch (o.outcome) {
    case 'activity':
      return { outcome: o.outcome, policy: o.policy, rule: o.rule, activity: o.activity, ...errors };
    case 'skipped':
      return { outcome: o.outcome, reason: o.reason };
    case 'no-match':
      return { outcome: o.outcome, ...errors };
    case 'error':
      return { outcome: o.outcome, ...(o.policy ? { policy: o.policy } : {}), ...(o.rule ? { rule: o.rule } : {}), error: o.error };
  }
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
      // Loaded when the command runs, not at start (see run.ts).
      const [{ inputKindOf }, { loadPolicyFiles }, { parseInputs }, { compilePolicies }] = await Promise.all([
        import('../../shared/policy/input-kind.js'),
        import('../../shared/policy/load-policy-files.js'),
        import('../../shared/policy/parse-input-file.js'),
        import('../../shared/policy/policy-engine.js'),
      ]);
      const engine = compilePolicies(await loadPolicyFiles(opts.policy), discovery);
      let inputs: unknown[];
      try {
        inputs = parseInputs(inputText);
      } catch (err) {
        throw new Error(`${opts.input}: ${(err as Error).message}`);
      }
      const lines: string[] = [];
      for (const input of inputs) {
        const kind = inputKindOf(input);
        const line = kind
          ? previewLine(engine.evaluate(kind, input))
          : { outcome: 'error', error: 'not an audit.k8s.io/v1 audit event nor an events.k8s.io/v1 or v1 Event (apiVersion)' };
        lines.push(`${JSON.stringify(line)}\n`);
      }
      process.stdout.write(lines.join(''));
    });
};
