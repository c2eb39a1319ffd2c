import type { DiscoveryTable } from '../shared/api/activity-policy.js';
import type { PolicySnapshot } from '../shared/contracts/window-requested.js';
import { BUILTIN_DISCOVERY } from '../shared/policy/builtin-discovery.js';

/**
 * The discovery entries a job's policies can use, out of the API server's
 * whole table (hundreds of entries on a real cluster), since every window
 * event and the plan carry it. The engine looks resources up in two places:
 * the policy index (group + Kind of each policy's resource → plural) and
 * audit links (group + plural of a ref → Kind). An audit event reaches a
 * policy only through its own group, and a rule can name another resource
 * only as a string literal; so the entries kept are those of the policies'
 * groups and those whose plural a rule quotes. Entries the window function's
 * built-in table maps the same way (shared/policy/discovery.ts merges it
 * beneath) are left out.
 */
export function discoveryForPolicies(policies: readonly PolicySnapshot[], table: DiscoveryTable): DiscoveryTable {
  const groups = new Set(policies.map((p) => p.spec.resource.apiGroup));
  const text = policies
    .flatMap((p) => [...(p.spec.auditRules ?? []), ...(p.spec.eventRules ?? [])])
    .map((r) => `${r.match}\n${r.summary}`)
    .join('\n');
  const out: DiscoveryTable = {};
  for (const [key, kind] of Object.entries(table)) {
    if (BUILTIN_DISCOVERY[key] === kind) continue;
    const slash = key.lastIndexOf('/');
    const group = key.slice(0, Math.max(0, slash));
    const plural = key.slice(slash + 1);
    if (groups.has(group) || text.includes(`'${plural}'`) || text.includes(`"${plural}"`)) out[key] = kind;
  }
  return out;
}
