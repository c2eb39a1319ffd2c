import type { ActivityLink } from '../api/activity.js';
import type { Discovery } from './discovery.js';
import { resourceShape } from './resource-shape.js';

type Ref = Record<string, unknown>;
type LinkResource = ActivityLink['resource'];

function s(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function isMap(v: unknown): v is Ref {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}


/**
 * An audit link's resource: refs are objectRefs, whole objects or actorRefs,
 * so kind falls back through discovery and `type`, identity through metadata.
 */
export function auditLinkResource(ref: Ref, discovery: Discovery): LinkResource {
  const metadata = isMap(ref.metadata) ? ref.metadata : {};
  let apiGroup = s(ref.apiGroup);
  let apiVersion = s(ref.apiVersion);
  const kind = s(ref.kind) || (s(ref.resource) !== '' ? discovery.kindOf(apiGroup, s(ref.resource)) ?? '' : '') || s(ref.type);
  if (apiGroup === '' && apiVersion.includes('/')) {
    const slash = apiVersion.indexOf('/');
    apiGroup = apiVersion.slice(0, slash);
    apiVersion = apiVersion.slice(slash + 1);
  }
  return resourceShape(apiGroup, apiVersion, kind, s(ref.name) || s(metadata.name), s(ref.namespace) || s(metadata.namespace), s(ref.uid) || s(metadata.uid));
}

/** An event link's resource: the ref's top level only, apiVersion always "". */
export function eventLinkResource(ref: Ref): LinkResource {
  return resourceShape(s(ref.apiGroup), '', s(ref.kind), s(ref.name), s(ref.namespace), s(ref.uid));
}
