// RFC 7386 JSON merge patch and RFC 6902 JSON patch, the two patch types the
// API server accepts for custom resources.
import { StatusError } from './status-error.js';

export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = applyMergePatch(out[key], value);
  }
  return out;
}

type Operation = { op: string; path: string; value?: unknown; from?: string };

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new StatusError('BadRequest', `invalid JSON pointer "${path}"`);
  return path.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: unknown, tokens: string[], path: string): [any, string] {
  let node: any = doc;
  for (const token of tokens.slice(0, -1)) {
    node = node?.[Array.isArray(node) ? Number(token) : token];
    if (node === undefined || node === null || typeof node !== 'object') throw new StatusError('Invalid', `the server rejected our request due to an error in our request: path "${path}" does not exist`);
  }
  return [node, tokens[tokens.length - 1]];
}

function read(doc: unknown, path: string): unknown {
  let node: any = doc;
  for (const token of pointer(path)) {
    node = node?.[Array.isArray(node) ? Number(token) : token];
    if (node === undefined) throw new StatusError('Invalid', `path "${path}" does not exist`);
  }
  return node;
}

function remove(doc: unknown, path: string): unknown {
  const [parent, key] = parentOf(doc, pointer(path), path);
  if (Array.isArray(parent)) return parent.splice(Number(key), 1)[0];
  if (!(key in parent)) throw new StatusError('Invalid', `path "${path}" does not exist`);
  const value = parent[key];
  delete parent[key];
  return value;
}

function add(doc: unknown, path: string, value: unknown, replace: boolean): unknown {
  const tokens = pointer(path);
  if (tokens.length === 0) return structuredClone(value);
  const [parent, key] = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) {
    const index = key === '-' ? parent.length : Number(key);
    if (replace) parent[index] = structuredClone(value);
    else parent.splice(index, 0, structuredClone(value));
  } else {
    if (replace && !(key in parent)) throw new StatusError('Invalid', `path "${path}" does not exist`);
    parent[key] = structuredClone(value);
  }
  return doc;
}

export function applyJsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw new StatusError('BadRequest', 'a JSON patch must be an array of operations');
  let doc = structuredClone(target);
  for (const op of operations as Operation[]) {
    switch (op.op) {
      case 'add': doc = add(doc, op.path, op.value, false); break;
      case 'replace': doc = add(doc, op.path, op.value, true); break;
      case 'remove': remove(doc, op.path); break;
      case 'move': { const v = remove(doc, op.from ?? ''); doc = add(doc, op.path, v, false); break; }
      case 'copy': doc = add(doc, op.path, read(doc, op.from ?? ''), false); break;
      case 'test':
        if (JSON.stringify(read(doc, op.path)) !== JSON.stringify(op.value)) throw new StatusError('Invalid', `test operation failed at "${op.path}"`);
        break;
      default: throw new StatusError('BadRequest', `unknown JSON patch operation "${op.op}"`);
    }
  }
  return doc;
}
