// A small Kubernetes API server over real HTTP, in memory. Tests and the
// local stack (`reindex up`) use it as the control plane, so the controller,
// the aggregator and kubectl talk to it exactly as they do to a cluster. It
// behaves like the real one where they depend on it: discovery with short
// names and categories, CRUD, list + watch from a resourceVersion (410 Gone
// once compacted), the status subresource, 409 on a stale resourceVersion,
// merge and JSON patch (strategic merge refused for custom resources),
// server-side apply with managedFields, dryRun=All, CRD pruning, defaults and
// validation (fieldValidation Strict/Warn/Ignore), Table output from printer
// columns, OpenAPI v2/v3 from the CRD schemas, field selectors, one Event
// store behind both Event APIs, finalizers and garbage collection.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { BUILTIN_RESOURCES, resourcesFromCrd, type ServedResource } from './kube-api-server/resource-table.js';
import { StatusError, notFound } from './kube-api-server/status-error.js';
import { ObjectStore, resourceKey, type KubeObject } from './kube-api-server/object-store.js';
import { compileSchema, type SchemaCheck } from './kube-api-server/crd-schema.js';
import { discoveryDocument } from './kube-api-server/discovery.js';
import { parseResourcePath, type ResourcePath } from './kube-api-server/resource-path.js';
import { applyJsonPatch, applyMergePatch } from './kube-api-server/json-patch.js';
import { parseSelector } from './kube-api-server/label-selector.js';
import { parseFieldSelector } from './kube-api-server/field-selector.js';
import { openApiDocument } from './kube-api-server/openapi.js';
import { tableVersion, toTable } from './kube-api-server/table.js';
import { assertEventNamespace, normalizeCoreEvent, toCoreEvent, toEventsV1Event } from './kube-api-server/event-conversion.js';
import { recordUpdate, serverSideApply as managedApply } from './kube-api-server/managed-fields.js';
import { APPLY_PATCH, mediaType, readBody, send } from './kube-api-server/request-io.js';
import { pruneForWrite, writeOptions, type WriteOptions } from './kube-api-server/write-options.js';
import { serveWatch, type WatchConnection } from './kube-api-server/watch-stream.js';
import { loadProjectCrds } from './kube-api-server/load-project-crds.js';

export interface KubeApiServerOptions {
  port?: number;
  /** CustomResourceDefinitions to serve; default: the project's `knative/crds/*.yaml`. */
  crds?: object[];
  /** Check writes against the CRD schemas (bounds, CEL rules), as a real cluster does. Default true; defaults are applied either way. */
  validate?: boolean;
  /** How many watch events are kept for resuming watches; older resourceVersions get 410 Gone. */
  historyLimit?: number;
  /** Period of BOOKMARK events on watches that allow them. */
  bookmarkIntervalMs?: number;
  /** Namespaces to create besides default, kube-system, kube-public and kube-node-lease. */
  namespaces?: string[];
}

/** One request as RBAC would see it. */
export interface RequestRecord {
  verb: 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';
  group: string;
  version: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** The HTTP status answered, once answered (not enumerable, so records compare by what was asked). */
  code?: number;
}

export interface KubeApiServer {
  url: string;
  kubeConfig(): KubeConfig;
  close(): Promise<void>;
  requests: RequestRecord[];
  /** Drop the watch history: any watch from an older resourceVersion is answered 410 Gone. */
  compact(): void;
  /** End every open watch, as an API server restart or a load balancer timeout would. */
  closeWatches(): void;
  /** Send a BOOKMARK now on every watch that allows them. */
  sendBookmarks(): void;
  /** Read an object directly (tests), or undefined. */
  getObject(group: string, resource: string, name: string, namespace?: string): KubeObject | undefined;
  /** Every stored object of a resource (tests). */
  listObjects(group: string, resource: string, namespace?: string): KubeObject[];
}

const PATCH_TYPES = new Set(['application/merge-patch+json', 'application/json-patch+json', 'application/strategic-merge-patch+json', APPLY_PATCH]);

/** Namespaces every cluster has. */
const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export async function startKubeApiServer(opts: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  const validate = opts.validate ?? true;
  const resources: ServedResource[] = [...BUILTIN_RESOURCES];
  const schemas = new Map<string, SchemaCheck>();
  const requests: RequestRecord[] = [];
  const watches = new Set<WatchConnection>();

  const find = (group: string, resource: string) => resources.find((r) => r.group === group && r.resource === resource);
  const store = new ObjectStore(
    opts.historyLimit ?? 1000,
    (key) => resources.find((r) => resourceKey(r) === key),
    (r) => schemas.get(resourceKey(r)),
  );

  function serveCrd(crd: any): void {
    for (const r of resourcesFromCrd(crd)) {
      const existing = resources.findIndex((s) => s.group === r.group && s.resource === r.resource);
      if (existing >= 0) resources.splice(existing, 1);
      resources.push(r);
      if (r.schema) {
        const check = compileSchema(r.schema);
        // Without validation, still apply the defaults (the check mutates in place) but let every write through.
        schemas.set(resourceKey(r), validate ? check : (obj) => (check(obj), []));
      }
    }
  }
  const crds = opts.crds ?? (await loadProjectCrds());
  for (const crd of crds) serveCrd(crd);

  const coreEvents = () => find('', 'events')!;
  const isEventsV1 = (r: ServedResource) => r.group === 'events.k8s.io' && r.resource === 'events';

  async function handleResource(req: IncomingMessage, res: ServerResponse, url: URL, path: ResourcePath): Promise<void> {
    const r = find(path.group, path.resource);
    if (!r || r.version !== path.version) throw new StatusError('NotFound', 'the server could not find the requested resource');
    if (path.namespace !== undefined && !r.namespaced) throw new StatusError('NotFound', 'the server could not find the requested resource');
    if (path.subresource !== undefined && (path.subresource !== 'status' || !r.statusSubresource)) throw new StatusError('NotFound', 'the server could not find the requested resource');
    const method = req.method ?? 'GET';
    const watch = url.searchParams.get('watch');
    const isWatch = method === 'GET' && (watch === 'true' || watch === '1');
    const verb: RequestRecord['verb'] | undefined = isWatch ? 'watch'
      : method === 'GET' ? (path.name ? 'get' : 'list')
      : method === 'POST' ? 'create' : method === 'PUT' ? 'update' : method === 'PATCH' ? 'patch' : method === 'DELETE' ? 'delete' : undefined;
    if (!verb) throw new StatusError('MethodNotAllowed', `method ${method} is not supported`);
    const record: RequestRecord = { verb, group: path.group, version: path.version, resource: path.resource, ...(path.subresource ? { subresource: path.subresource } : {}), ...(path.namespace !== undefined ? { namespace: path.namespace } : {}), ...(path.name ? { name: path.name } : {}) };
    requests.push(record);
    res.once('finish', () => Object.defineProperty(record, 'code', { value: res.statusCode, enumerable: false, writable: true }));
    if (r.namespaced && !path.namespace && verb !== 'list' && verb !== 'watch') throw new StatusError('NotFound', 'the server could not find the requested resource');
    if (r.verbs && !r.verbs.includes(verb)) throw new StatusError('MethodNotAllowed', `the server does not allow this method on the requested resource`);
    if (r.group === 'authorization.k8s.io') {
      const review = (await readBody(req)) as KubeObject;
      return send(res, 201, { ...review, apiVersion: 'authorization.k8s.io/v1', kind: r.kind, status: { allowed: true, reason: 'the local API server allows every request' } });
    }

    // events.k8s.io/v1 is a view of the core/v1 Events: one store behind both APIs.
    const backing = isEventsV1(r) ? coreEvents() : r;
    const view = (o: KubeObject): KubeObject => (isEventsV1(r) ? toEventsV1Event(o) : o);
    const stored = (o: KubeObject): KubeObject => (isEventsV1(r) ? toCoreEvent(o) : backing === coreEvents() ? normalizeCoreEvent(o) : o);
    const labels = parseSelector(url.searchParams.get('labelSelector'));
    const fields = parseFieldSelector(r, url.searchParams.get('fieldSelector'));
    const matches = (o: KubeObject) => labels(o.metadata.labels ?? {}) && fields(view(o)) && (!path.name || o.metadata.name === path.name);
    const table = tableVersion(req.headers.accept);
    const includeObject = url.searchParams.get('includeObject');
    const answer = (code: number, objects: KubeObject[], single: KubeObject | undefined, warnings: string[] = []) =>
      send(res, code, table ? toTable(r, objects.map(view), { version: table, includeObject, resourceVersion: store.resourceVersion }) : single ? view(single) : undefined, warnings);

    switch (verb) {
      case 'watch': {
        const conn = serveWatch(req, res, {
          store, resource: backing, namespace: path.namespace, matches,
          resourceVersion: url.searchParams.get('resourceVersion') ?? undefined,
          bookmarks: url.searchParams.get('allowWatchBookmarks') === 'true' ? opts.bookmarkIntervalMs ?? 5000 : undefined,
          timeoutSeconds: Number(url.searchParams.get('timeoutSeconds') ?? 0) || undefined,
          present: table ? (o) => toTable(r, [view(o)], { version: table, includeObject }) : view,
        });
        watches.add(conn);
        conn.closed.then(() => watches.delete(conn));
        return;
      }
      case 'get': {
        const o = store.get(backing, path.namespace, path.name!);
        return answer(200, [o], o);
      }
      case 'list': {
        const items = store.list(backing, path.namespace).filter(matches);
        if (table) return answer(200, items, undefined);
        return send(res, 200, { kind: `${r.kind}List`, apiVersion: r.group ? `${r.group}/${r.version}` : r.version, metadata: { resourceVersion: store.resourceVersion }, items: items.map(view) });
      }
      case 'create': {
        if (path.name) throw new StatusError('MethodNotAllowed', 'POST to a named resource is not allowed');
        const w = writeOptions(url, req);
        const warnings: string[] = [];
        const body = stored((await readBody(req)) as KubeObject);
        if (backing === coreEvents()) assertEventNamespace(body, path.namespace!, r.group);
        pruneForWrite(r, body, w.fieldValidation, warnings);
        if (body?.metadata) body.metadata.managedFields = recordUpdate(undefined, body, w.fieldManager);
        const created = store.create(backing, path.namespace, body, w.dryRun);
        if (!w.dryRun && r.group === 'apiextensions.k8s.io' && r.resource === 'customresourcedefinitions') serveCrd(created);
        return answer(201, [created], created, warnings);
      }
      case 'update': {
        const w = writeOptions(url, req);
        const warnings: string[] = [];
        const body = stored((await readBody(req)) as KubeObject);
        pruneForWrite(r, body, w.fieldValidation, warnings);
        if (!path.subresource && body?.metadata) body.metadata.managedFields = recordUpdate(store.get(backing, path.namespace, path.name!), body, w.fieldManager);
        const updated = store.update(backing, path.namespace, path.name!, body, path.subresource, w.dryRun);
        return answer(200, [updated], updated, warnings);
      }
      case 'patch': {
        const type = mediaType(req);
        if (!PATCH_TYPES.has(type) || (r.custom && type === 'application/strategic-merge-patch+json')) {
          throw new StatusError('UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml${r.custom ? '' : ', application/strategic-merge-patch+json'}`);
        }
        const w = writeOptions(url, req);
        const warnings: string[] = [];
        const patch = await readBody(req);
        if (type === APPLY_PATCH) return serverSideApply(r, backing, path, patch as KubeObject, w, res, answer);
        const current = store.get(backing, path.namespace, path.name!);
        // The patched object's resourceVersion is the precondition: a merge patch that sends a stale one gets 409.
        const patched = stored((type === 'application/json-patch+json' ? applyJsonPatch(view(current), patch) : applyMergePatch(view(current), patch)) as KubeObject);
        pruneForWrite(r, patched, w.fieldValidation, warnings);
        if (!path.subresource) patched.metadata.managedFields = recordUpdate(current, patched, w.fieldManager);
        const updated = store.update(backing, path.namespace, path.name!, patched, path.subresource, w.dryRun);
        return answer(200, [updated], updated, warnings);
      }
      case 'delete': {
        const w = writeOptions(url, req);
        const { object, removed } = store.delete(backing, path.namespace, path.name!, w.dryRun);
        if (removed && !r.custom) return send(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: object.metadata.name, group: r.group, kind: r.resource, uid: object.metadata.uid } });
        return send(res, 200, view(object));
      }
    }
  }

  /** PATCH with application/apply-patch+yaml: create or merge by field ownership (managed-fields.ts). */
  function serverSideApply(r: ServedResource, backing: ServedResource, path: ResourcePath, applied: KubeObject, w: WriteOptions, res: ServerResponse, answer: (code: number, objects: KubeObject[], single: KubeObject | undefined, warnings?: string[]) => void): void {
    if (!w.fieldManagerGiven) throw new StatusError('BadRequest', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
    if (!applied || typeof applied !== 'object' || !applied.metadata) throw new StatusError('BadRequest', 'an apply patch must be an object with apiVersion, kind and metadata');
    const apiVersion = r.group ? `${r.group}/${r.version}` : r.version;
    if (applied.apiVersion !== apiVersion || applied.kind !== r.kind) throw new StatusError('BadRequest', `the apply patch is for ${applied.apiVersion}, Kind=${applied.kind}, not ${apiVersion}, Kind=${r.kind}`);
    if (applied.metadata.name !== undefined && applied.metadata.name !== path.name) throw new StatusError('BadRequest', `the name of the object (${applied.metadata.name}) does not match the name on the URL (${path.name})`);
    const warnings: string[] = [];
    pruneForWrite(r, applied, w.fieldValidation, warnings);
    let current: KubeObject | undefined;
    try {
      current = store.get(backing, path.namespace, path.name!);
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404)) throw err;
    }
    if (path.subresource === 'status') {
      if (!current) throw notFound(r.resource, r.group, path.name!);
      const updated = store.update(backing, path.namespace, path.name!, { ...current, status: applyMergePatch(current.status, applied.status) }, 'status', w.dryRun);
      return answer(200, [updated], updated, warnings);
    }
    const next = managedApply(current, { ...applied, metadata: { ...applied.metadata, name: path.name } }, w.fieldManager, w.force);
    if (!current) {
      const created = store.create(backing, path.namespace, next, w.dryRun);
      return answer(201, [created], created, warnings);
    }
    if (applied.metadata.resourceVersion === undefined) next.metadata.resourceVersion = current.metadata.resourceVersion;
    const updated = store.update(backing, path.namespace, path.name!, next, undefined, w.dryRun);
    return answer(200, [updated], updated, warnings);
  }

  // What every cluster has as objects: its namespaces and the CRDs it serves.
  const namespaces = store.list(find('', 'namespaces')!);
  for (const name of [...SYSTEM_NAMESPACES, ...(opts.namespaces ?? [])]) {
    if (namespaces.some((n) => n.metadata.name === name)) continue;
    store.create(find('', 'namespaces')!, undefined, { metadata: { name, labels: { 'kubernetes.io/metadata.name': name } }, spec: { finalizers: ['kubernetes'] } });
    store.update(find('', 'namespaces')!, undefined, name, { metadata: { name }, status: { phase: 'Active' } }, 'status');
  }
  for (const crd of crds) {
    const created = store.create(find('apiextensions.k8s.io', 'customresourcedefinitions')!, undefined, structuredClone(crd) as KubeObject);
    store.update(find('apiextensions.k8s.io', 'customresourcedefinitions')!, undefined, created.metadata.name, { ...created, status: { conditions: [{ type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' }], acceptedNames: (crd as any).spec?.names } }, 'status');
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    (async () => {
      if (url.pathname === '/version') return send(res, 200, { major: '1', minor: '31', gitVersion: 'v1.31.0-reindex-local', platform: 'linux/amd64' });
      if (url.pathname === '/healthz' || url.pathname === '/readyz' || url.pathname === '/livez') { res.writeHead(200); res.end('ok'); return; }
      const doc = req.method === 'GET' ? discoveryDocument(url.pathname, resources) ?? openApiDocument(url.pathname, resources) : undefined;
      if (doc) {
        // The OpenAPI v2 client asks for protobuf only: answer 406 rather than JSON it would misread.
        const accept = req.headers.accept ?? '*/*';
        if (url.pathname === '/openapi/v2' && !/json|\*\/\*/.test(accept)) throw new StatusError('NotAcceptable', 'only application/json is served for /openapi/v2');
        return send(res, 200, doc);
      }
      const path = parseResourcePath(url.pathname, (group, resource) => find(group, resource)?.namespaced ?? false);
      if (!path) throw new StatusError('NotFound', 'the server could not find the requested resource');
      await handleResource(req, res, url, path);
    })().catch((err: unknown) => {
      const status = err instanceof StatusError ? err : new StatusError('BadRequest', (err as Error).message ?? String(err));
      if (!res.headersSent) send(res, status.code, status.toStatus());
      else res.end();
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, '127.0.0.1', () => ok());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    requests,
    kubeConfig() {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: 'local', server: url, skipTLSVerify: true }],
        users: [{ name: 'local' }],
        contexts: [{ name: 'local', cluster: 'local', user: 'local' }],
        currentContext: 'local',
      });
      return kc;
    },
    compact: () => store.compact(),
    closeWatches() {
      for (const w of watches) w.end();
    },
    sendBookmarks() {
      for (const w of watches) w.bookmark();
    },
    getObject(group, resource, name, namespace) {
      const r = find(group, resource);
      if (!r) return undefined;
      try {
        const o = store.get(isEventsV1(r) ? coreEvents() : r, namespace, name);
        return isEventsV1(r) ? toEventsV1Event(o) : o;
      } catch {
        return undefined;
      }
    },
    listObjects(group, resource, namespace) {
      const r = find(group, resource);
      if (!r) return [];
      return isEventsV1(r) ? store.list(coreEvents(), namespace).map(toEventsV1Event) : store.list(r, namespace);
    },
    async close() {
      for (const w of watches) w.end();
      await new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      });
    },
  };
}
