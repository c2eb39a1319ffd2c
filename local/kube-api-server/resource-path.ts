// Splits a resource URL (/api/v1/…, /apis/<group>/<version>/…) into what RBAC
// would see: group, version, resource, namespace, name, subresource.

export interface ResourcePath {
  group: string;
  version: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export function parseResourcePath(path: string, isNamespacedResource: (group: string, resource: string) => boolean): ResourcePath | undefined {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  let group: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) [group, rest] = ['', parts.slice(1)];
  else if (parts[0] === 'apis' && parts.length >= 4) [group, rest] = [parts[1], parts.slice(2)];
  else return undefined;
  const [version, ...tail] = rest;
  // `namespaces/<ns>/<resource>/…` unless it is the namespaces resource itself (`namespaces/<name>/status`).
  if (tail[0] === 'namespaces' && tail.length >= 3 && isNamespacedResource(group, tail[2])) {
    const [, namespace, resource, name, subresource] = tail;
    return tail.length > 5 ? undefined : { group, version, resource, namespace, name, subresource };
  }
  const [resource, name, subresource] = tail;
  return tail.length > 3 ? undefined : { group, version, resource, name, subresource };
}

/**
 * Every resource under `namespaces/<ns>/` is namespaced except the namespace's
 * own subresources (`namespaces/<name>/status`, `/finalize`): for callers
 * that see a URL without knowing the served resources.
 */
export function isNamespacedUnlessNamespaceSubresource(group: string, resource: string): boolean {
  return !(group === '' && (resource === 'status' || resource === 'finalize'));
}

/** The verb RBAC checks for a request on a resource path: from the method, whether it names an object, and `watch`. */
export function rbacVerb(method: string, named: boolean, query: URLSearchParams): string {
  const watch = query.get('watch');
  if (method === 'GET') return watch === 'true' || watch === '1' ? 'watch' : named ? 'get' : 'list';
  if (method === 'POST') return 'create';
  if (method === 'PUT') return 'update';
  if (method === 'PATCH') return 'patch';
  if (method === 'DELETE') return named ? 'delete' : 'deletecollection';
  return method.toLowerCase();
}
