import type { CelProgram } from './cel-environment.js';
import type { PolicyIdentity } from './build-activity.js';
import type { Discovery } from './discovery.js';
import type { MatchGuard } from './match-guard.js';
import type { CompiledPart } from './summary-template.js';

export interface CompiledRule {
  name: string;
  match: string;
  matchProgram: CelProgram;
  /** When it returns false the match is certainly not true: skip matchProgram. */
  guard?: MatchGuard;
  summary: readonly CompiledPart[];
}

export interface CompiledPolicy extends PolicyIdentity {
  auditRules: readonly CompiledRule[];
  eventRules: readonly CompiledRule[];
}

/**
 * Policies by the key an input is looked up with: audit input by group +
 * plural (objectRef.resource), event input by group + Kind. Each list is in
 * policy-name order (Decision: the live order is informer order).
 */
export interface PolicyIndex {
  audit: ReadonlyMap<string, readonly CompiledPolicy[]>;
  event: ReadonlyMap<string, readonly CompiledPolicy[]>;
}

export function indexKey(group: string, resource: string): string {
  return `${group}/${resource}`;
}

function add(map: Map<string, CompiledPolicy[]>, key: string, policy: CompiledPolicy): void {
  const list = map.get(key);
  if (list) list.push(policy);
  else map.set(key, [policy]);
}

export function buildPolicyIndex(policies: readonly CompiledPolicy[], discovery: Discovery): PolicyIndex {
  const sorted = [...policies].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const audit = new Map<string, CompiledPolicy[]>();
  const event = new Map<string, CompiledPolicy[]>();
  for (const policy of sorted) {
    if (policy.auditRules.length > 0) add(audit, indexKey(policy.apiGroup, discovery.pluralOf(policy.apiGroup, policy.kind)), policy);
    if (policy.eventRules.length > 0) add(event, indexKey(policy.apiGroup, policy.kind), policy);
  }
  return { audit, event };
}
