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
 * A link whose ref names a resource discovery does not know: the live
 * processor dead-letters the whole input (`kind_resolve`), so no activity.
 */
export class LinkKindError extends Error {
  override name = 'LinkKindError';
}

/**
 * An audit link's resource: refs are objectRefs, whole objects or actorRefs,
 * so kind comes from `kind`, else `resource` through discovery (throwing
 * LinkKindError when it does not resolve), else `type`; identity falls back
 * through metadata.
 */
export function auditLinkResource(ref: Ref, discovery: Discovery): LinkResource {
  const metadata = isMap(ref.metadata) ? ref.metadata : {};
  let apiGroup = s(ref.apiGroup);
  let apiVersion = s(ref.apiVersion);
  const kind = s(ref.kind) || resolvedKind(ref, apiGroup, discovery) || s(ref.type);
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

function resolvedKind(ref: Ref, apiGroup: string, discovery: Discovery): string {
  const resource = s(ref.resource);
  if (resource === '') return '';
  const kind = discovery.kindOf(apiGroup, resource);
  if (kind === undefined) throw new LinkKindError(`kind_resolve: no kind for resource ${apiGroup || 'core'}/${resource} of a link`);
  return kind;
}
