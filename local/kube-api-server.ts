// A small Kubernetes API server over real HTTP, in memory. Tests and the
// local one-command stack use it as the control plane, so the controller and
// the aggregator talk to it with @kubernetes/client-node exactly as they do
// to a cluster. It behaves like the real one where our code depends on it:
// discovery, CRUD, list + watch from a resourceVersion (410 Gone once
// compacted), the status subresource, 409 on a stale resourceVersion, merge
// and JSON patch (strategic merge refused for custom resources), finalizers
// and garbage collection of owned objects.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { BUILTIN_RESOURCES, resourcesFromCrd, type ServedResource } from './kube-api-server/resource-table.js';
import { StatusError } from './kube-api-server/status-error.js';
import { ObjectStore, resourceKey, type KubeObject } from './kube-api-server/object-store.js';
import { compileSchema, type SchemaCheck } from './kube-api-server/crd-schema.js';
import { discoveryDocument } from './kube-api-server/discovery.js';
import { parseResourcePath, type ResourcePath } from './kube-api-server/resource-path.js';
import { applyJsonPatch, applyMergePatch } from './kube-api-server/json-patch.js';
import { parseSelector, selectableFields } from './kube-api-server/label-selector.js';
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

const PATCH_TYPES = new Set(['application/merge-patch+json', 'application/json-patch+json', 'application/strategic-merge-patch+json']);

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new StatusError('BadRequest', 'the request body is not valid JSON');
  }
}

function send(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

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
  for (const crd of opts.crds ?? (await loadProjectCrds())) serveCrd(crd);

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

    const labels = parseSelector(url.searchParams.get('labelSelector'));
    const fields = parseSelector(url.searchParams.get('fieldSelector'));
    const matches = (o: KubeObject) => labels(o.metadata.labels ?? {}) && fields(selectableFields(o)) && (!path.name || o.metadata.name === path.name);

    switch (verb) {
      case 'watch': {
        const conn = serveWatch(req, res, {
          store, resource: r, namespace: path.namespace, matches,
          resourceVersion: url.searchParams.get('resourceVersion') ?? undefined,
          bookmarks: url.searchParams.get('allowWatchBookmarks') === 'true' ? opts.bookmarkIntervalMs ?? 5000 : undefined,
          timeoutSeconds: Number(url.searchParams.get('timeoutSeconds') ?? 0) || undefined,
        });
        watches.add(conn);
        conn.closed.then(() => watches.delete(conn));
        return;
      }
      case 'get':
        return send(res, 200, store.get(r, path.namespace, path.name!));
      case 'list': {
        const items = store.list(r, path.namespace).filter(matches);
        return send(res, 200, { kind: `${r.kind}List`, apiVersion: r.group ? `${r.group}/${r.version}` : r.version, metadata: { resourceVersion: store.resourceVersion }, items });
      }
      case 'create': {
        if (path.name) throw new StatusError('MethodNotAllowed', 'POST to a named resource is not allowed');
        const created = store.create(r, path.namespace, (await readBody(req)) as KubeObject);
        if (r.group === 'apiextensions.k8s.io' && r.resource === 'customresourcedefinitions') serveCrd(created);
        return send(res, 201, created);
      }
      case 'update':
        return send(res, 200, store.update(r, path.namespace, path.name!, (await readBody(req)) as KubeObject, path.subresource));
      case 'patch': {
        const type = (req.headers['content-type'] ?? '').split(';')[0].trim();
        if (!PATCH_TYPES.has(type) || (r.custom && type === 'application/strategic-merge-patch+json')) {
          throw new StatusError('UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json${r.custom ? '' : ', application/strategic-merge-patch+json'}`);
        }
        const patch = await readBody(req);
        const current = store.get(r, path.namespace, path.name!);
        // The patched object's resourceVersion is the precondition: a merge patch that sends a stale one gets 409.
        const patched = (type === 'application/json-patch+json' ? applyJsonPatch(current, patch) : applyMergePatch(current, patch)) as KubeObject;
        return send(res, 200, store.update(r, path.namespace, path.name!, patched, path.subresource));
      }
      case 'delete': {
        const { object, removed } = store.delete(r, path.namespace, path.name!);
        return send(res, 200, removed && !r.custom ? { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: object.metadata.name, group: r.group, kind: r.resource, uid: object.metadata.uid } } : object);
      }
    }
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    (async () => {
      if (url.pathname === '/version') return send(res, 200, { major: '1', minor: '31', gitVersion: 'v1.31.0-reindex-local', platform: 'linux/amd64' });
      if (url.pathname === '/healthz' || url.pathname === '/readyz' || url.pathname === '/livez') { res.writeHead(200); res.end('ok'); return; }
      const doc = req.method === 'GET' ? discoveryDocument(url.pathname, resources) : undefined;
      if (doc) return send(res, 200, doc);
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
        return store.get(r, namespace, name);
      } catch {
        return undefined;
      }
    },
    listObjects(group, resource, namespace) {
      const r = find(group, resource);
      return r ? store.list(r, namespace) : [];
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
