import type { ActivityPolicy } from '../shared/api/activity-policy.js';
import type { ReindexJobSpec } from '../shared/api/reindex-job.js';

export type PolicySelection = { ok: true; policies: ActivityPolicy[] } | { ok: false; message: string };

/**
 * The policies a job runs with, by name order: the named ones (each must
 * exist), those matching the labels, or all of them.
 */
export function selectPolicies(all: readonly ActivityPolicy[], selector: ReindexJobSpec['policySelector']): PolicySelection {
  const sorted = [...all].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  if (selector?.names && selector.names.length > 0) {
    const byName = new Map(sorted.map((p) => [p.metadata.name, p]));
    const missing = selector.names.filter((name) => !byName.has(name));
    if (missing.length > 0) {
      return { ok: false, message: `spec.policySelector.names: ActivityPolicy ${missing.map((n) => JSON.stringify(n)).join(', ')} not found` };
    }
    return { ok: true, policies: sorted.filter((p) => selector.names!.includes(p.metadata.name)) };
  }
  const labels = Object.entries(selector?.matchLabels ?? {});
  return { ok: true, policies: sorted.filter((p) => labels.every(([k, v]) => p.metadata.labels?.[k] === v)) };
}
