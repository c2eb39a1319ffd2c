// OpenAPI documents built from the served resources and the CRDs' schemas,
// as kubectl reads them: v3 per group-version (`explain`, and the PATCH
// operation's `fieldValidation` parameter, which tells kubectl to leave
// validation to the server) and v2 as JSON. Built-ins get an open schema.
import { createHash } from 'node:crypto';
import type { ServedResource } from './resource-table.js';

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const LIST_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta';

/** `activity.miloapis.com` → `com.miloapis.activity`; built-ins as the real server names them. */
function definitionName(r: ServedResource, kind = r.kind): string {
  if (r.custom) return `${r.group.split('.').reverse().join('.')}.${r.version}.${kind}`;
  if (r.group === 'apiextensions.k8s.io') return `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.${r.version}.${kind}`;
  const short = r.group === '' ? 'core' : r.group.replace(/\.k8s\.io$/, '').replace(/\.authorization$/, '');
  return `io.k8s.api.${short}.${r.version}.${kind}`;
}

const gvk = (r: ServedResource, kind = r.kind) => ({ group: r.group, kind, version: r.version });

function objectMeta(): object {
  const str = (description: string) => ({ type: 'string', description });
  const map = (description: string) => ({ type: 'object', additionalProperties: { type: 'string', default: '' }, description });
  return {
    description: 'ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.',
    type: 'object',
    properties: {
      name: str('Name must be unique within a namespace.'),
      generateName: str('GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided.'),
      namespace: str('Namespace defines the space within which each name must be unique.'),
      uid: str('UID is the unique in time and space value for this object.'),
      resourceVersion: str('An opaque value that represents the internal version of this object.'),
      generation: { type: 'integer', format: 'int64', description: 'A sequence number representing a specific generation of the desired state.' },
      creationTimestamp: { type: 'string', format: 'date-time', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.' },
      deletionTimestamp: { type: 'string', format: 'date-time', description: 'DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted.' },
      labels: map('Map of string keys and values that can be used to organize and categorize (scope and select) objects.'),
      annotations: map('Annotations is an unstructured key value map stored with a resource.'),
      finalizers: { type: 'array', items: { type: 'string', default: '' }, description: 'Must be empty before the object is deleted from the registry.' },
      ownerReferences: { type: 'array', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, description: 'List of objects depended by this object.' },
      managedFields: { type: 'array', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, description: 'ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow.' },
    },
  };
}

/** The kind's schema: the CRD's, with metadata pointing at ObjectMeta; an open object for built-ins. */
function kindSchema(r: ServedResource, ref: (name: string) => string): any {
  const base: any = r.schema ? structuredClone(r.schema) : { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  base.properties = {
    ...base.properties,
    apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
    kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
    metadata: { allOf: [{ $ref: ref(OBJECT_META) }], description: "Standard object's metadata." },
  };
  base['x-kubernetes-group-version-kind'] = [gvk(r)];
  return base;
}

function listSchema(r: ServedResource, ref: (name: string) => string): object {
  return {
    description: `${r.kind}List is a list of ${r.kind}`,
    type: 'object',
    required: ['items'],
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { allOf: [{ $ref: ref(LIST_META) }] },
      items: { type: 'array', items: { $ref: ref(definitionName(r)) } },
    },
    'x-kubernetes-group-version-kind': [gvk(r, `${r.kind}List`)],
  };
}

const query = (name: string, description: string, type = 'string') => ({ name, in: 'query', description, schema: { type, uniqueItems: true } });
const WRITE_PARAMS = [
  query('dryRun', 'When present, indicates that modifications should not be persisted.'),
  query('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes.'),
  query('fieldValidation', 'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields: Ignore, Warn or Strict.'),
];

/** Paths of one resource: the operations kubectl looks up by their x-kubernetes-group-version-kind. */
function resourcePaths(r: ServedResource, ref: (name: string) => string): Record<string, object> {
  const prefix = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  const base = `${prefix}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.resource}`;
  const body = { content: { 'application/json': { schema: { $ref: ref(definitionName(r)) } } } };
  const op = (action: string, params: object[] = [], extra: object = {}) => ({
    responses: { '200': body },
    parameters: params,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk(r),
    ...extra,
  });
  const paths: Record<string, object> = {};
  if (r.verbs?.every((v) => v === 'create')) {
    paths[base] = { post: op('post', WRITE_PARAMS, { requestBody: body }) };
    return paths;
  }
  paths[base] = { get: op('list'), post: op('post', WRITE_PARAMS, { requestBody: body }) };
  paths[`${base}/{name}`] = {
    get: op('get'),
    put: op('put', WRITE_PARAMS, { requestBody: body }),
    patch: op('patch', [...WRITE_PARAMS, query('force', 'Force is going to "force" Apply requests.', 'boolean')]),
    delete: op('delete', [WRITE_PARAMS[0]]),
  };
  if (r.statusSubresource) paths[`${base}/{name}/status`] = { get: op('get'), put: op('put', WRITE_PARAMS), patch: op('patch', WRITE_PARAMS) };
  return paths;
}

function schemasOf(resources: ServedResource[], ref: (name: string) => string): Record<string, object> {
  const schemas: Record<string, object> = {
    [OBJECT_META]: objectMeta(),
    [LIST_META]: { type: 'object', properties: { resourceVersion: { type: 'string' }, continue: { type: 'string' } } },
  };
  for (const r of resources) {
    schemas[definitionName(r)] = kindSchema(r, ref);
    if (!r.verbs) schemas[definitionName(r, `${r.kind}List`)] = listSchema(r, ref);
  }
  return schemas;
}

/** `api/v1`, `apis/<group>/<version>`: the keys of the v3 root document. */
function groupVersionPath(r: ServedResource): string {
  return r.group ? `apis/${r.group}/${r.version}` : `api/${r.version}`;
}

function v3Document(resources: ServedResource[]): object {
  const ref = (name: string) => `#/components/schemas/${name}`;
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.31.0' },
    paths: Object.assign({}, ...resources.map((r) => resourcePaths(r, ref))),
    components: { schemas: schemasOf(resources, ref) },
  };
}

/** The answer for an /openapi/… path, or undefined when the path is not one. */
export function openApiDocument(path: string, resources: ServedResource[]): object | undefined {
  if (path === '/openapi/v2') {
    const ref = (name: string) => `#/definitions/${name}`;
    const v2 = (o: any): any => JSON.parse(JSON.stringify(o).replaceAll('#/components/schemas/', '#/definitions/'));
    const paths = Object.assign({}, ...resources.map((r) => v2(resourcePaths(r, ref))));
    return { swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.31.0' }, paths, definitions: schemasOf(resources, ref) };
  }
  const byGroupVersion = new Map<string, ServedResource[]>();
  for (const r of resources) byGroupVersion.set(groupVersionPath(r), [...(byGroupVersion.get(groupVersionPath(r)) ?? []), r]);
  if (path === '/openapi/v3') {
    const paths: Record<string, object> = {};
    for (const [gv, served] of byGroupVersion) {
      // The hash changes when the document does, so clients' caches follow CRD changes.
      const hash = createHash('sha256').update(JSON.stringify(v3Document(served))).digest('hex').slice(0, 32).toUpperCase();
      paths[gv] = { serverRelativeURL: `/openapi/v3/${gv}?hash=${hash}` };
    }
    return { paths };
  }
  const served = path.startsWith('/openapi/v3/') ? byGroupVersion.get(path.slice('/openapi/v3/'.length)) : undefined;
  return served ? v3Document(served) : undefined;
}
