import type { DiscoveryTable } from '../../shared/api/activity-policy.js';
import type { PolicySnapshot, WindowRequested } from '../../shared/contracts/window-requested.js';
import type { PolicyEvaluator } from './window-deps.js';

export type CompilePolicies = (policies: PolicySnapshot[], discovery: DiscoveryTable) => PolicyEvaluator;

/**
 * Compiles a job's policy snapshot once per instance and reuses it for the
 * job's other windows. Keyed by job uid + generation: every window of one
 * job generation carries the same snapshot (DESIGN.md §4.2). Small LRU, so a
 * long-lived instance serving many jobs stays flat.
 */
export function createPolicyEngineCache(compile: CompilePolicies, max = 16): (request: WindowRequested) => PolicyEvaluator {
  const cache = new Map<string, PolicyEvaluator>();
  return (request) => {
    const key = `${request.job.uid}/${request.job.generation}`;
    let engine = cache.get(key);
    if (engine) {
      cache.delete(key);
    } else {
      engine = compile(request.policies, request.discovery);
      if (cache.size >= max) cache.delete(cache.keys().next().value as string);
    }
    cache.set(key, engine);
    return engine;
  };
}
