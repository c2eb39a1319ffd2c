// Discovery documents (/api, /api/v1, /apis, /apis/<group>, /apis/<group>/<version>)
// built from the served resources, in the legacy (unaggregated) JSON form.
import { apiResource, type ServedResource } from './resource-table.js';

const ADDRESSES = [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }];

function groupVersions(resources: ServedResource[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const r of resources) {
    if (r.group === '') continue;
    const versions = groups.get(r.group) ?? [];
    if (!versions.includes(r.version)) versions.push(r.version);
    groups.set(r.group, versions);
  }
  return groups;
}

function apiGroup(name: string, versions: string[]): object {
  const list = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions: list, preferredVersion: list[0] };
}

/** The document for a discovery path, or undefined when the path is not a discovery path. */
export function discoveryDocument(path: string, resources: ServedResource[]): object | undefined {
  const parts = path.split('/').filter(Boolean);
  if (parts.length === 1 && parts[0] === 'api') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: ADDRESSES };
  if (parts.length === 1 && parts[0] === 'apis') {
    const groups = [...groupVersions(resources)].map(([name, versions]) => apiGroup(name, versions));
    return { kind: 'APIGroupList', apiVersion: 'v1', groups };
  }
  if (parts.length === 2 && parts[0] === 'apis') {
    const versions = groupVersions(resources).get(parts[1]);
    return versions ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(parts[1], versions) } : undefined;
  }
  const [group, version] = parts[0] === 'api' && parts.length === 2 ? ['', parts[1]] : parts[0] === 'apis' && parts.length === 3 ? [parts[1], parts[2]] : [undefined, undefined];
  if (group === undefined) return undefined;
  const served = resources.filter((r) => r.group === group && r.version === version);
  if (served.length === 0) return undefined;
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources: served.flatMap(apiResource) };
}
