import type { Activity } from '../api/activity.js';

export type InputKind = 'audit' | 'event';

/** One counted, non-fatal error: which policy/rule/expression, and why. */
export interface EvaluationError {
  policy: string;
  rule: string;
  expression: string;
  message: string;
}

/**
 * What one input became. `errors` lists every error counted while getting
 * there (an audit rule that errored stops its policy, and the next policy
 * may still yield an activity), so callers add `errors.length` to the job's
 * error count whatever the outcome.
 */
export type EvaluationOutcome = { originId: string; errors: EvaluationError[] } & (
  | { outcome: 'activity'; policy: string; rule: string; activity: Activity }
  | { outcome: 'skipped'; reason: string }
  | { outcome: 'no-match' }
  | { outcome: 'error'; policy: string; rule: string; error: string }
);
