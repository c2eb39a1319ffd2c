import { isDeepStrictEqual } from 'node:util';
import type { Activity } from '../../shared/api/activity.js';

/**
 * Whether re-indexing would change what a reader of the stored activity
 * sees: its summary, links, actor, tenant or resource. Compared as JSON
 * values, so key order and absent-versus-undefined fields (the stored side
 * went through JSON, the fresh side did not) make no difference, nor do
 * omitted links versus none.
 */
export function activityDiffers(stored: Activity, fresh: Activity): boolean {
  const a = stored.spec;
  const b = fresh.spec;
  return (
    a.summary !== b.summary ||
    !sameJson(a.links ?? [], b.links ?? []) ||
    !sameJson(a.actor, b.actor) ||
    !sameJson(a.tenant, b.tenant) ||
    !sameJson(a.resource, b.resource)
  );
}

function sameJson(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(asJson(a), asJson(b));
}

function asJson(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}
