import type { ActivityPolicy } from '../shared/api/activity-policy.js';
import type { JobPolicy, ReindexJobSpec } from '../shared/api/reindex-job.js';

export const NO_READY_POLICY = 'policySelector matched no Ready ActivityPolicy';

export type PolicySelection =
  | { ok: true; policies: ActivityPolicy[]; skipped: JobPolicy[] }
  | { ok: false; reason: string; message: string; skipped: JobPolicy[] };

/**
 * The policies a job runs with, by name order: the named ones (each must
 * exist), those matching the labels, or all of them; of those, only the
 * Ready ones, as the live processor loads only those (ACTIVITY-FORMAT.md §6).
 * The rest are returned as skipped, each with why, for status.policies.
 */
export function selectPolicies(all: readonly ActivityPolicy[], selector: ReindexJobSpec['policySelector']): PolicySelection {
  const sorted = [...all].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  let matched: ActivityPolicy[];
  if (selector?.names && selector.names.length > 0) {
    const byName = new Map(sorted.map((p) => [p.metadata.name, p]));
    const missing = selector.names.filter((name) => !byName.has(name));
    if (missing.length > 0) {
      const message = `spec.policySelector.names: ActivityPolicy ${missing.map((n) => JSON.stringify(n)).join(', ')} not found`;
      return { ok: false, reason: 'PolicyNotFound', message, skipped: [] };
    }
    matched = sorted.filter((p) => selector.names!.includes(p.metadata.name));
  } else {
    const labels = Object.entries(selector?.matchLabels ?? {});
    matched = sorted.filter((p) => labels.every(([k, v]) => p.metadata.labels?.[k] === v));
  }
  const policies: ActivityPolicy[] = [];
  const skipped: JobPolicy[] = [];
  for (const policy of matched) {
    const notReady = notReadyReason(policy);
    if (notReady === undefined) policies.push(policy);
    else skipped.push({ name: policy.metadata.name, resourceVersion: policy.metadata.resourceVersion ?? '', skipped: notReady });
  }
  if (policies.length === 0) {
    const leftOut = skipped.length > 0 ? ` (left out: ${skipped.map((p) => `${p.name}: ${p.skipped}`).join('; ')})` : '';
    return { ok: false, reason: 'NoReadyPolicy', message: `${NO_READY_POLICY}${leftOut}`, skipped };
  }
  return { ok: true, policies, skipped };
}

/** Undefined when the policy's Ready condition is True; else what the condition says. */
function notReadyReason(policy: ActivityPolicy): string | undefined {
  const ready = policy.status?.conditions?.find((c) => c.type === 'Ready');
  if (!ready) return 'not Ready: no Ready condition (the Activity controller has not accepted it)';
  if (ready.status === 'True') return undefined;
  return `not Ready: Ready=${ready.status}${ready.reason ? ` (${ready.reason})` : ''}${ready.message ? `: ${ready.message}` : ''}`;
}
