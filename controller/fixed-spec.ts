// The spec fields a job keeps from its start (DESIGN.md §4.1: only
// rateLimit, parallelism and suspend act on a running job). The plan stores
// them as they were when the job was prepared; later edits are reported and
// ignored rather than half-applied (windows already processed cannot follow).
import type { ReindexJobSpec } from '../shared/api/reindex-job.js';
import { CONFIG_LIMITS } from '../shared/api/reindex-job-validation.js';
import type { FixedSpec } from '../shared/contracts/job-plan.js';

export function fixedSpecOf(spec: ReindexJobSpec): FixedSpec {
  return {
    timeRange: spec.timeRange,
    ...(spec.policySelector ? { policySelector: spec.policySelector } : {}),
    batchSize: spec.config?.batchSize ?? CONFIG_LIMITS.batchSize.default,
    dryRun: spec.config?.dryRun ?? false,
  };
}

/** Spec paths of the fixed fields `spec` no longer agrees with. */
export function changedFixedFields(spec: ReindexJobSpec, fixed: FixedSpec): string[] {
  const now = fixedSpecOf(spec);
  const changed: string[] = [];
  if (canonical(now.timeRange) !== canonical(fixed.timeRange)) changed.push('spec.timeRange');
  if (canonical(now.policySelector ?? {}) !== canonical(fixed.policySelector ?? {})) changed.push('spec.policySelector');
  if (now.dryRun !== fixed.dryRun) changed.push('spec.config.dryRun');
  if (now.batchSize !== fixed.batchSize) changed.push('spec.config.batchSize');
  return changed;
}

/** The spec a running job acts on: the live one with its fixed fields put back. */
export function effectiveSpec(spec: ReindexJobSpec, fixed: FixedSpec): ReindexJobSpec {
  const { policySelector: _live, ...rest } = spec;
  return {
    ...rest,
    timeRange: fixed.timeRange,
    ...(fixed.policySelector ? { policySelector: fixed.policySelector } : {}),
    config: { ...spec.config, batchSize: fixed.batchSize, dryRun: fixed.dryRun },
  };
}

export function ignoredChangeMessage(fields: readonly string[]): string {
  return `${fields.join(', ')} changed after the job started and ${fields.length > 1 ? 'are' : 'is'} ignored: ` +
    'only rateLimit, parallelism and suspend act on a started job; create a new ReindexJob for the new values';
}

/** JSON with object keys sorted, so key order never reads as a change. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );
}
