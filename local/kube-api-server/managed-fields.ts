// Field ownership (metadata.managedFields) and server-side apply, a
// reasonable subset of structured-merge-diff: maps merge key by key, lists
// and scalars are atomic leaves. Every write records who set what; an apply
// sets the fields its manager names, removes the ones it named before and no
// longer does, and is refused with a conflict when it would change a value
// another manager set, unless forced.
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from './object-store.js';
import { StatusError } from './status-error.js';

type Path = string[];
type Any = Record<string, any>;

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Any;
  subresource?: string;
}

const isMap = (v: unknown): v is Any => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The leaves of an object that managers own: not apiVersion, kind, status, nor metadata beyond labels and annotations. */
export function ownedLeaves(obj: Any): Path[] {
  const out: Path[] = [];
  const walk = (v: unknown, path: Path) => {
    if (isMap(v) && Object.keys(v).length > 0) for (const [k, sub] of Object.entries(v)) walk(sub, [...path, k]);
    else out.push(path);
  };
  for (const [k, v] of Object.entries(obj ?? {})) {
    if (k === 'apiVersion' || k === 'kind' || k === 'status') continue;
    if (k === 'metadata') {
      for (const m of ['labels', 'annotations']) if (isMap(v?.[m])) for (const lk of Object.keys(v[m])) out.push(['metadata', m, lk]);
      continue;
    }
    walk(v, [k]);
  }
  return out;
}

const key = (p: Path) => JSON.stringify(p);
const valueAt = (obj: Any, p: Path): unknown => p.reduce<any>((o, k) => (isMap(o) ? o[k] : undefined), obj);

function setAt(obj: Any, p: Path, value: unknown): void {
  let o = obj;
  for (const k of p.slice(0, -1)) {
    if (!isMap(o[k])) o[k] = {};
    o = o[k];
  }
  o[p[p.length - 1]] = structuredClone(value);
}

function deleteAt(obj: Any, p: Path): void {
  const parents: Any[] = [];
  let o = obj;
  for (const k of p.slice(0, -1)) {
    if (!isMap(o[k])) return;
    parents.push(o);
    o = o[k];
  }
  delete o[p[p.length - 1]];
  // Maps emptied by the removal go too, as an apply that no longer names them means.
  for (let i = p.length - 2; i >= 0; i--) {
    const parent = parents[i];
    if (isMap(parent[p[i]]) && Object.keys(parent[p[i]]).length === 0 && p[i] !== 'metadata') delete parent[p[i]];
    else break;
  }
}

/** Leaves → the FieldsV1 form (`{"f:spec":{"f:config":{"f:rateLimit":{}}}}`). */
export function toFieldsV1(leaves: Path[]): Any {
  const root: Any = {};
  for (const p of leaves) {
    let o = root;
    for (const k of p) o = o[`f:${k}`] ??= {};
  }
  return root;
}

export function fromFieldsV1(fields: Any, prefix: Path = []): Path[] {
  const children = Object.keys(fields ?? {}).filter((k) => k.startsWith('f:'));
  if (children.length === 0) return prefix.length ? [prefix] : [];
  return children.flatMap((k) => fromFieldsV1(fields[k], [...prefix, k.slice(2)]));
}

function entriesOf(obj: KubeObject | undefined): ManagedFieldsEntry[] {
  return ((obj?.metadata?.managedFields ?? []) as ManagedFieldsEntry[]).filter((e) => !e.subresource);
}

function withEntries(entries: Array<ManagedFieldsEntry & { leaves: Path[] }>, now: string, touched: Set<ManagedFieldsEntry>): ManagedFieldsEntry[] {
  return entries
    .filter((e) => e.leaves.length > 0)
    .map(({ leaves, ...e }) => ({ ...e, ...(touched.has(e as ManagedFieldsEntry) ? { time: now } : {}), fieldsV1: toFieldsV1(leaves) }));
}

const nowSeconds = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * The managedFields after an ordinary write (create, update, patch) by
 * `manager`: it owns what it changed; what it removed nobody owns.
 */
export function recordUpdate(current: KubeObject | undefined, next: KubeObject, manager: string): ManagedFieldsEntry[] {
  const before = new Map(ownedLeaves(current ?? {}).map((p) => [key(p), p]));
  const after = ownedLeaves(next);
  const afterKeys = new Set(after.map(key));
  const changed = after.filter((p) => !before.has(key(p)) || !isDeepStrictEqual(valueAt(current!, p), valueAt(next, p)));
  const gone = new Set([...before.keys()].filter((k) => !afterKeys.has(k)));
  const changedKeys = new Set(changed.map(key));
  const entries = entriesOf(current).map((e) => ({ ...e, leaves: fromFieldsV1(e.fieldsV1).filter((p) => !changedKeys.has(key(p)) && !gone.has(key(p))) }));
  let mine = entries.find((e) => e.manager === manager && e.operation === 'Update');
  const touched = new Set<ManagedFieldsEntry>();
  if (changed.length > 0) {
    if (!mine) entries.push((mine = { manager, operation: 'Update', apiVersion: next.apiVersion ?? '', time: nowSeconds(), fieldsType: 'FieldsV1', fieldsV1: {}, leaves: [] }));
    const owned = new Set(mine.leaves.map(key));
    mine.leaves.push(...changed.filter((p) => !owned.has(key(p))));
    touched.add(mine as ManagedFieldsEntry);
  }
  return withEntries(entries, nowSeconds(), touched);
}

/**
 * Server-side apply of `applied` (the manager's whole intent) onto `current`
 * (undefined: the object is created). Returns the object to store, with its
 * managedFields; throws 409 naming the conflicting fields and managers.
 */
export function serverSideApply(current: KubeObject | undefined, applied: KubeObject, manager: string, force: boolean): KubeObject {
  const appliedLeaves = ownedLeaves(applied);
  const appliedKeys = new Set(appliedLeaves.map(key));
  const entries = entriesOf(current).map((e) => ({ ...e, leaves: fromFieldsV1(e.fieldsV1) }));
  const isMine = (e: { manager: string; operation: string }) => e.manager === manager && e.operation === 'Apply';
  const next: KubeObject = current ? structuredClone(current) : { apiVersion: applied.apiVersion, kind: applied.kind, metadata: { ...applied.metadata, labels: undefined, annotations: undefined } };
  if (!current) {
    delete next.metadata.labels;
    delete next.metadata.annotations;
  }
  const differs = (p: Path) => current !== undefined && valueAt(current, p) !== undefined && !isDeepStrictEqual(valueAt(current, p), valueAt(applied, p));

  const conflicts = new Map<string, string[]>();
  for (const e of entries) {
    if (isMine(e)) continue;
    for (const p of e.leaves) {
      if (appliedKeys.has(key(p)) && differs(p)) conflicts.set(e.manager, [...(conflicts.get(e.manager) ?? []), `.${p.join('.')}`]);
    }
  }
  if (conflicts.size > 0 && !force) throw conflictError(conflicts, applied.apiVersion ?? '');

  // Fields this manager applied before and names no more are removed, unless someone else owns them too.
  const mine = entries.find(isMine);
  for (const p of mine?.leaves ?? []) {
    if (appliedKeys.has(key(p))) continue;
    if (!entries.some((e) => e !== mine && e.leaves.some((q) => key(q) === key(p)))) deleteAt(next, p);
  }
  for (const p of appliedLeaves) setAt(next, p, valueAt(applied, p));

  // A changed value moves to the applier; an equal one is shared.
  for (const e of entries) if (!isMine(e)) e.leaves = e.leaves.filter((p) => !(appliedKeys.has(key(p)) && differs(p)));
  const touched = new Set<ManagedFieldsEntry>();
  const entry = mine ?? { manager, operation: 'Apply' as const, apiVersion: applied.apiVersion ?? '', time: nowSeconds(), fieldsType: 'FieldsV1' as const, fieldsV1: {}, leaves: [] as Path[] };
  entry.leaves = appliedLeaves;
  if (!mine) entries.push(entry);
  touched.add(entry as ManagedFieldsEntry);
  next.metadata.managedFields = withEntries(entries, nowSeconds(), touched);
  return next;
}

function conflictError(conflicts: Map<string, string[]>, apiVersion: string): StatusError {
  const count = [...conflicts.values()].reduce((n, f) => n + f.length, 0);
  const parts = [...conflicts].map(([manager, fields]) =>
    fields.length === 1 ? `conflict with "${manager}" using ${apiVersion}: ${fields[0]}` : `conflicts with "${manager}" using ${apiVersion}:\n${fields.map((f) => `- ${f}`).join('\n')}`);
  const message = `Apply failed with ${count} conflict${count === 1 ? '' : 's'}: ${parts.join('\n')}`;
  const causes = [...conflicts].flatMap(([manager, fields]) => fields.map((field) => ({ reason: 'FieldManagerConflict', message: `conflict with "${manager}" using ${apiVersion}`, field })));
  return new StatusError('Conflict', message, { causes });
}
