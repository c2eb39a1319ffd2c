import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { ActivityPolicy } from '../api/activity-policy.js';
import { PolicySnapshot } from '../contracts/window-requested.js';

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

function describeIssues(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  return error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ');
}

function policiesIn(doc: unknown, where: string): ActivityPolicy[] {
  if (doc === null || doc === undefined) return [];
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`${where}: expected an ActivityPolicy object`);
  const kind = (doc as { kind?: unknown }).kind;
  if (kind === 'List' || kind === 'ActivityPolicyList') {
    const items = (doc as { items?: unknown }).items;
    if (!Array.isArray(items)) throw new Error(`${where}: ${kind} without items`);
    return items.flatMap((item, i) => policiesIn(item, `${where} item ${i}`));
  }
  if (kind !== 'ActivityPolicy') throw new Error(`${where}: kind is ${JSON.stringify(kind)}, expected ActivityPolicy`);
  const parsed = PolicySnapshot.safeParse(doc);
  if (!parsed.success) throw new Error(`${where}: invalid ActivityPolicy: ${describeIssues(parsed.error)}`);
  return [parsed.data as ActivityPolicy];
}

async function loadFile(path: string): Promise<ActivityPolicy[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`${path}: cannot read policy file: ${(err as Error).message}`);
  }
  // JSON is YAML, so one parser reads both, including multi-document files.
  const docs = parseAllDocuments(text);
  const policies: ActivityPolicy[] = [];
  for (const [i, doc] of docs.entries()) {
    const where = docs.length > 1 ? `${path} (document ${i + 1})` : path;
    if (doc.errors.length > 0) throw new Error(`${where}: ${doc.errors[0].message.split('\n')[0]}`);
    policies.push(...policiesIn(doc.toJS(), where));
  }
  return policies;
}

/**
 * Reads ActivityPolicies from YAML or JSON files (one or many documents, or a
 * List) and from directories (their *.yaml, *.yml and *.json, sorted).
 * Errors name the file.
 */
export async function loadPolicyFiles(paths: string[]): Promise<ActivityPolicy[]> {
  const policies: ActivityPolicy[] = [];
  for (const path of paths) {
    let isDir = false;
    try {
      isDir = (await stat(path)).isDirectory();
    } catch (err) {
      throw new Error(`${path}: cannot read policy file: ${(err as Error).message}`);
    }
    if (!isDir) {
      policies.push(...(await loadFile(path)));
      continue;
    }
    const names = (await readdir(path)).filter((n) => EXTENSIONS.has(extname(n).toLowerCase())).sort();
    for (const name of names) policies.push(...(await loadFile(join(path, name))));
  }
  return policies;
}
