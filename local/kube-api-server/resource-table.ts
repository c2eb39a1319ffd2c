// The resources the local API server serves: what discovery lists and what
// the generic store accepts. Built-ins are here so a controller can build a
// discovery table (group/plural → Kind) as it would against a real cluster.

export interface ServedResource {
  group: string;
  version: string;
  /** Plural, as in the URL. */
  resource: string;
  kind: string;
  singular: string;
  namespaced: boolean;
  /** Has a `/status` subresource: status is written only there. */
  statusSubresource: boolean;
  /** Custom resources: strategic merge patch is refused (415), generation is bumped on spec changes. */
  custom: boolean;
  shortNames?: string[];
  /** openAPIV3Schema from the CRD, when it came from one. */
  schema?: Record<string, unknown>;
}

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function builtin(group: string, version: string, resource: string, kind: string, namespaced: boolean, statusSubresource = false): ServedResource {
  return { group, version, resource, kind, singular: kind.toLowerCase(), namespaced, statusSubresource, custom: false };
}

export const BUILTIN_RESOURCES: ServedResource[] = [
  builtin('', 'v1', 'configmaps', 'ConfigMap', true),
  builtin('', 'v1', 'events', 'Event', true),
  builtin('', 'v1', 'namespaces', 'Namespace', false, true),
  builtin('', 'v1', 'pods', 'Pod', true, true),
  builtin('', 'v1', 'services', 'Service', true, true),
  builtin('', 'v1', 'secrets', 'Secret', true),
  builtin('', 'v1', 'serviceaccounts', 'ServiceAccount', true),
  builtin('', 'v1', 'nodes', 'Node', false, true),
  builtin('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true, true),
  builtin('apps', 'v1', 'deployments', 'Deployment', true, true),
  builtin('apps', 'v1', 'statefulsets', 'StatefulSet', true, true),
  builtin('apps', 'v1', 'daemonsets', 'DaemonSet', true, true),
  builtin('apps', 'v1', 'replicasets', 'ReplicaSet', true, true),
  builtin('batch', 'v1', 'jobs', 'Job', true, true),
  builtin('networking.k8s.io', 'v1', 'ingresses', 'Ingress', true, true),
  builtin('rbac.authorization.k8s.io', 'v1', 'roles', 'Role', true),
  builtin('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding', true),
  builtin('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false),
  builtin('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false),
  builtin('coordination.k8s.io', 'v1', 'leases', 'Lease', true),
  builtin('events.k8s.io', 'v1', 'events', 'Event', true),
  builtin('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', false, true),
];

/** A served resource from a CustomResourceDefinition (apiextensions.k8s.io/v1), one per served version. */
export function resourcesFromCrd(crd: any): ServedResource[] {
  const spec = crd?.spec;
  if (!spec?.group || !spec?.names?.plural || !spec?.names?.kind) throw new Error('CustomResourceDefinition needs spec.group and spec.names');
  return (spec.versions ?? [])
    .filter((v: any) => v.served !== false)
    .map((v: any) => ({
      group: spec.group,
      version: v.name,
      resource: spec.names.plural,
      kind: spec.names.kind,
      singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
      namespaced: spec.scope === 'Namespaced',
      statusSubresource: Boolean(v.subresources?.status),
      custom: true,
      shortNames: spec.names.shortNames,
      schema: v.schema?.openAPIV3Schema,
    }));
}

export function apiResource(r: ServedResource): object[] {
  const main = { name: r.resource, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: VERBS, ...(r.shortNames ? { shortNames: r.shortNames } : {}) };
  const status = { name: `${r.resource}/status`, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: ['get', 'patch', 'update'] };
  return r.statusSubresource ? [main, status] : [main];
}
