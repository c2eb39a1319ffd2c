// What `reindex preview` does once its arguments are checked: load the
// policies, evaluate every input, one JSON line each. Its own module so the
// build can bundle it, with zod, yaml and CEL, into one file (package.json
// `build:preview`): loading ~250 small modules was most of preview's start.
// Nothing here may depend on its own file location (import.meta.url).
import type { DiscoveryTable } from '../../shared/api/activity-policy.js';
import type { EvaluationOutcome } from '../../shared/policy/evaluation-outcome.js';
import { inputKindOf } from '../../shared/policy/input-kind.js';
import { loadPolicyFiles } from '../../shared/policy/load-policy-files.js';
import { parseInputs } from '../../shared/policy/parse-input-file.js';
import { compilePolicies } from '../../shared/policy/policy-engine.js';

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

/** One line (with its newline) per input of `inputText`, in order. */
export async function previewLines(policyPaths: string[], inputName: string, inputText: string, discovery?: DiscoveryTable): Promise<string[]> {
  const engine = compilePolicies(await loadPolicyFiles(policyPaths), discovery);
  let inputs: unknown[];
  try {
    inputs = parseInputs(inputText);
  } catch (err) {
    throw new Error(`${inputName}: ${(err as Error).message}`);
  }
  return inputs.map((input) => {
    const kind = inputKindOf(input);
    const line = kind
      ? previewLine(engine.evaluate(kind, input))
      : { outcome: 'error', error: 'not an audit.k8s.io/v1 audit event nor an events.k8s.io/v1 or v1 Event (apiVersion)' };
    return `${JSON.stringify(line)}\n`;
  });
}
