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
