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
  /** `kubectl get <category>` lists every resource in it (e.g. `all`, `activity`). */
  categories?: string[];
  /** The CRD's additionalPrinterColumns: the columns of its Table (`kubectl get`). */
  printerColumns?: PrinterColumn[];
  /** Verbs, when not the full set (a review is only created). */
  verbs?: string[];
  /** openAPIV3Schema from the CRD, when it came from one. */
  schema?: Record<string, unknown>;
}

export interface PrinterColumn {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function builtin(group: string, version: string, resource: string, kind: string, namespaced: boolean, statusSubresource = false, extra: Partial<ServedResource> = {}): ServedResource {
  return { group, version, resource, kind, singular: kind.toLowerCase(), namespaced, statusSubresource, custom: false, ...extra };
}

const ALL = ['all'];

export const BUILTIN_RESOURCES: ServedResource[] = [
  builtin('', 'v1', 'configmaps', 'ConfigMap', true, false, { shortNames: ['cm'] }),
  builtin('', 'v1', 'events', 'Event', true, false, { shortNames: ['ev'] }),
  builtin('', 'v1', 'namespaces', 'Namespace', false, true, { shortNames: ['ns'] }),
  builtin('', 'v1', 'pods', 'Pod', true, true, { shortNames: ['po'], categories: ALL }),
  builtin('', 'v1', 'services', 'Service', true, true, { shortNames: ['svc'], categories: ALL }),
  builtin('', 'v1', 'secrets', 'Secret', true),
  builtin('', 'v1', 'serviceaccounts', 'ServiceAccount', true, false, { shortNames: ['sa'] }),
  builtin('', 'v1', 'nodes', 'Node', false, true, { shortNames: ['no'] }),
  builtin('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true, true, { shortNames: ['pvc'] }),
  builtin('apps', 'v1', 'deployments', 'Deployment', true, true, { shortNames: ['deploy'], categories: ALL }),
  builtin('apps', 'v1', 'statefulsets', 'StatefulSet', true, true, { shortNames: ['sts'], categories: ALL }),
  builtin('apps', 'v1', 'daemonsets', 'DaemonSet', true, true, { shortNames: ['ds'], categories: ALL }),
  builtin('apps', 'v1', 'replicasets', 'ReplicaSet', true, true, { shortNames: ['rs'], categories: ALL }),
  builtin('batch', 'v1', 'jobs', 'Job', true, true, { categories: ALL }),
  builtin('networking.k8s.io', 'v1', 'ingresses', 'Ingress', true, true, { shortNames: ['ing'] }),
  builtin('rbac.authorization.k8s.io', 'v1', 'roles', 'Role', true),
  builtin('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding', true),
  builtin('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false),
  builtin('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false),
  builtin('coordination.k8s.io', 'v1', 'leases', 'Lease', true),
  builtin('events.k8s.io', 'v1', 'events', 'Event', true, false, { shortNames: ['ev'] }),
  builtin('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', false, true, { shortNames: ['crd', 'crds'] }),
  // Answered, never stored: the local server allows everything (kubectl auth can-i).
  builtin('authorization.k8s.io', 'v1', 'selfsubjectaccessreviews', 'SelfSubjectAccessReview', false, false, { verbs: ['create'] }),
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
      categories: spec.names.categories,
      printerColumns: v.additionalPrinterColumns,
      schema: v.schema?.openAPIV3Schema,
    }));
}

export function apiResource(r: ServedResource): object[] {
  const main = { name: r.resource, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs ?? VERBS, ...(r.shortNames ? { shortNames: r.shortNames } : {}), ...(r.categories ? { categories: r.categories } : {}) };
  const status = { name: `${r.resource}/status`, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: ['get', 'patch', 'update'] };
  return r.statusSubresource ? [main, status] : [main];
}
