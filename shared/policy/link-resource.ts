import type { ActivityLink } from '../api/activity.js';
import type { Discovery } from './discovery.js';

type Ref = Record<string, unknown>;
type LinkResource = ActivityLink['resource'];

function s(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function isMap(v: unknown): v is Ref {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Same shape as spec.resource: apiGroup, namespace, uid only when set. */
function shape(apiGroup: string, apiVersion: string, kind: string, name: string, namespace: string, uid: string): LinkResource {
  const out: LinkResource = {};
  if (apiGroup !== '') out.apiGroup = apiGroup;
  out.apiVersion = apiVersion;
  out.kind = kind;
  out.name = name;
  if (namespace !== '') out.namespace = namespace;
  if (uid !== '') out.uid = uid;
  return out;
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
  return shape(apiGroup, apiVersion, kind, s(ref.name) || s(metadata.name), s(ref.namespace) || s(metadata.namespace), s(ref.uid) || s(metadata.uid));
}

/** An event link's resource: the ref's top level only, apiVersion always "". */
export function eventLinkResource(ref: Ref): LinkResource {
  return shape(s(ref.apiGroup), '', s(ref.kind), s(ref.name), s(ref.namespace), s(ref.uid));
}
