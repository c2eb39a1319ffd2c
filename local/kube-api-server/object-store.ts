// The in-memory state of the local API server: objects per resource, one
// global resourceVersion counter, a bounded history of watch events, and the
// write rules of the real server that our code depends on (status
// subresource, generation, optimistic concurrency, finalizers, owner GC).
import { randomUUID } from 'node:crypto';
import type { ServedResource } from './resource-table.js';
import { StatusError, conflict, notFound } from './status-error.js';
import type { SchemaCheck } from './crd-schema.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';
export type KubeObject = { apiVersion?: string; kind?: string; metadata: Record<string, any>; [key: string]: any };

export interface HistoryEntry {
  rv: number;
  resourceKey: string;
  type: WatchEventType;
  object: KubeObject;
}

export type Listener = (entry: HistoryEntry) => void;

export function resourceKey(r: ServedResource): string {
  return `${r.group}/${r.resource}`;
}

function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

/** Everything but metadata and status: a change here bumps metadata.generation. */
function specPart(obj: KubeObject): string {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return JSON.stringify(rest);
}

export class ObjectStore {
  private rv = 0;
  /** Watches from a resourceVersion at or below this are answered 410 Gone. */
  private compactedRv = 0;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly history: HistoryEntry[] = [];
  private readonly listeners = new Set<Listener>();

  constructor(
    private readonly historyLimit: number,
    private readonly resourceByKey: (key: string) => ServedResource | undefined,
    private readonly schemaOf: (r: ServedResource) => SchemaCheck | undefined,
  ) {}

  get resourceVersion(): string {
    return String(this.rv);
  }

  /** Forget all history: every watch from an older resourceVersion now gets 410 Gone. */
  compact(): void {
    this.history.length = 0;
    this.compactedRv = this.rv;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Events after `rv` for one resource, or undefined when they are no longer kept. */
  since(key: string, rv: number): HistoryEntry[] | undefined {
    if (rv < this.compactedRv) return undefined;
    return this.history.filter((e) => e.rv > rv && e.resourceKey === key);
  }

  list(r: ServedResource, namespace?: string): KubeObject[] {
    const all = [...(this.objects.get(resourceKey(r))?.values() ?? [])];
    return all.filter((o) => namespace === undefined || o.metadata.namespace === namespace).map((o) => structuredClone(o));
  }

  get(r: ServedResource, namespace: string | undefined, name: string): KubeObject {
    const found = this.objects.get(resourceKey(r))?.get(objectKey(namespace, name));
    if (!found) throw notFound(r.resource, r.group, name);
    return structuredClone(found);
  }

  /** With `dryRun`, everything a write does (defaults, validation, conflicts) but storing it (dryRun=All). */
  create(r: ServedResource, namespace: string | undefined, body: KubeObject, dryRun = false): KubeObject {
    const meta = body?.metadata ?? {};
    let name: string | undefined = meta.name;
    if (!name && meta.generateName) name = `${meta.generateName}${randomUUID().slice(0, 5)}`;
    if (!name) throw new StatusError('Invalid', `${r.kind} is invalid: metadata.name: Required value: name or generateName is required`, { kind: r.kind, group: r.group, causes: [{ field: 'metadata.name', message: 'Required value' }] });
    if (r.namespaced && meta.namespace && meta.namespace !== namespace) throw new StatusError('BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
    const bucket = this.bucket(r);
    if (bucket.has(objectKey(namespace, name))) {
      const qualified = r.group ? `${r.resource}.${r.group}` : r.resource;
      throw new StatusError('AlreadyExists', `${qualified} "${name}" already exists`, { name, group: r.group, kind: r.resource });
    }
    const obj: KubeObject = structuredClone(body);
    if (r.statusSubresource) delete obj.status;
    obj.apiVersion = r.group ? `${r.group}/${r.version}` : r.version;
    obj.kind = r.kind;
    obj.metadata = {
      ...meta,
      name,
      ...(r.namespaced ? { namespace } : {}),
      uid: randomUUID(),
      creationTimestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      ...(r.custom || r.statusSubresource ? { generation: 1 } : {}),
    };
    delete obj.metadata.resourceVersion;
    delete obj.metadata.deletionTimestamp;
    this.check(r, obj);
    if (dryRun) return structuredClone(obj);
    return this.commit(r, 'ADDED', obj);
  }

  /** PUT of the main resource (status kept as stored) or of `/status` (only status taken). */
  update(r: ServedResource, namespace: string | undefined, name: string, body: KubeObject, subresource?: string, dryRun = false): KubeObject {
    const current = this.get(r, namespace, name);
    const sentRv = body?.metadata?.resourceVersion;
    if (sentRv !== undefined && sentRv !== '' && sentRv !== current.metadata.resourceVersion) throw conflict(r.resource, r.group, name);
    if (body?.metadata?.name !== undefined && body.metadata.name !== name) throw new StatusError('BadRequest', `the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
    let next: KubeObject;
    if (subresource === 'status') {
      next = { ...current, status: structuredClone(body.status) };
      if (body.status === undefined) delete next.status;
    } else {
      next = structuredClone(body);
      next.apiVersion = current.apiVersion;
      next.kind = current.kind;
      const { uid, creationTimestamp, deletionTimestamp, generation, namespace: ns } = current.metadata;
      next.metadata = { ...next.metadata, uid, creationTimestamp, generation, name, ...(ns !== undefined ? { namespace: ns } : {}) };
      if (deletionTimestamp) next.metadata.deletionTimestamp = deletionTimestamp;
      else delete next.metadata.deletionTimestamp;
      if (r.statusSubresource) {
        if (current.status === undefined) delete next.status;
        else next.status = current.status;
      }
      if (generation !== undefined && specPart(next) !== specPart(current)) next.metadata.generation = generation + 1;
    }
    next.metadata.resourceVersion = current.metadata.resourceVersion;
    this.check(r, next);
    if (JSON.stringify(next) === JSON.stringify(current)) return current; // a no-op write does not bump resourceVersion
    if (dryRun) return next;
    if (next.metadata.deletionTimestamp && !(next.metadata.finalizers?.length)) {
      this.remove(r, next);
      return next;
    }
    return this.commit(r, 'MODIFIED', next);
  }

  delete(r: ServedResource, namespace: string | undefined, name: string, dryRun = false): { object: KubeObject; removed: boolean } {
    const current = this.get(r, namespace, name);
    if (dryRun) return { object: current, removed: !current.metadata.finalizers?.length };
    if (current.metadata.finalizers?.length) {
      if (current.metadata.deletionTimestamp) return { object: current, removed: false };
      current.metadata.deletionTimestamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      return { object: this.commit(r, 'MODIFIED', current), removed: false };
    }
    this.remove(r, current);
    return { object: current, removed: true };
  }

  private check(r: ServedResource, obj: KubeObject): void {
    const schemaCheck = this.schemaOf(r);
    if (!schemaCheck) return;
    const causes = schemaCheck(obj);
    if (causes.length === 0) return;
    const qualified = r.group ? `${r.kind}.${r.group}` : r.kind;
    // One cause is said bare, several as a list: utilerrors.NewAggregate's format.
    const said = causes.map((c) => `${c.field}: ${c.message}`);
    throw new StatusError('Invalid', `${qualified} "${obj.metadata.name}" is invalid: ${said.length === 1 ? said[0] : `[${said.join(', ')}]`}`, {
      name: obj.metadata.name, group: r.group, kind: r.kind, causes,
    });
  }

  private bucket(r: ServedResource): Map<string, KubeObject> {
    const key = resourceKey(r);
    let bucket = this.objects.get(key);
    if (!bucket) this.objects.set(key, (bucket = new Map()));
    return bucket;
  }

  private commit(r: ServedResource, type: WatchEventType, obj: KubeObject): KubeObject {
    obj.metadata.resourceVersion = String(++this.rv);
    if (type === 'DELETED') this.bucket(r).delete(objectKey(obj.metadata.namespace, obj.metadata.name));
    else this.bucket(r).set(objectKey(obj.metadata.namespace, obj.metadata.name), structuredClone(obj));
    const entry: HistoryEntry = { rv: this.rv, resourceKey: resourceKey(r), type, object: structuredClone(obj) };
    this.history.push(entry);
    if (this.history.length > this.historyLimit) this.compactedRv = this.history.shift()!.rv;
    for (const listener of this.listeners) listener(entry);
    return structuredClone(obj);
  }

  /** Removes the object, then (synchronously, like foreground GC in small) every object it owns. */
  private remove(r: ServedResource, obj: KubeObject): void {
    this.commit(r, 'DELETED', obj);
    const uid = obj.metadata.uid;
    for (const [key, bucket] of this.objects) {
      const owned = [...bucket.values()].filter((o) => (o.metadata.ownerReferences ?? []).some((ref: { uid?: string }) => ref.uid === uid));
      const ownedResource = this.resourceByKey(key);
      if (!ownedResource) continue;
      for (const child of owned) {
        if (child.metadata.finalizers?.length) {
          if (!child.metadata.deletionTimestamp) this.commit(ownedResource, 'MODIFIED', { ...structuredClone(child), metadata: { ...structuredClone(child.metadata), deletionTimestamp: new Date().toISOString() } });
        } else this.remove(ownedResource, structuredClone(child));
      }
    }
  }
}
