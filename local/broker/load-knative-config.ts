// Reads the Broker and Trigger definitions from the same manifests the
// cluster applies, so the local flow routes exactly as Knative would.
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Broker, Trigger, type KnativeEventing } from './knative-eventing.js';

export type LoadOptions = {
  /** Namespace for objects that name none and have no kustomization `namespace:` above them. */
  defaultNamespace?: string;
};

/**
 * Every `*.yaml`/`*.yml` under `dir` (recursively, multi-document); keeps
 * `kind: Broker` and `kind: Trigger` of eventing.knative.dev and fills in
 * `metadata.namespace` the way `kubectl apply -k` would.
 */
export async function loadKnativeEventing(dir: string, options: LoadOptions = {}): Promise<KnativeEventing> {
  const files = (await yamlFiles(dir)).sort();
  const namespaces = await kustomizationNamespaces(files);
  const brokers: Broker[] = [];
  const triggers: Trigger[] = [];
  for (const file of files) {
    const where = relative(dir, file) || file;
    const namespace = namespaceFor(file, dir, namespaces) ?? options.defaultNamespace ?? 'default';
    for (const doc of parseAllDocuments(await readFile(file, 'utf8'))) {
      if (doc.errors.length > 0) throw new Error(`${where}: ${doc.errors[0].message}`);
      const object: unknown = doc.toJS();
      if (!isEventingObject(object)) continue;
      const schema = object.kind === 'Broker' ? Broker : Trigger;
      const parsed = schema.safeParse(object);
      if (!parsed.success) {
        throw new Error(`${where}: invalid ${object.kind} ${nameOf(object)}: ${parsed.error.issues.map(describeIssue).join('; ')}`);
      }
      parsed.data.metadata.namespace ??= namespace;
      if (parsed.data.kind === 'Broker') brokers.push(parsed.data);
      else triggers.push(parsed.data);
    }
  }
  return { brokers, triggers };
}

async function yamlFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await yamlFiles(path)));
    else if (/\.ya?ml$/.test(entry.name)) out.push(path);
  }
  return out;
}

// A kustomization's `namespace:` applies to every resource beneath it.
async function kustomizationNamespaces(files: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const file of files) {
    if (!/(^|\/)kustomization\.ya?ml$/.test(file)) continue;
    const doc = parseAllDocuments(await readFile(file, 'utf8'))[0]?.toJS() as { namespace?: unknown } | undefined;
    if (typeof doc?.namespace === 'string' && doc.namespace) out.set(dirname(file), doc.namespace);
  }
  return out;
}

function namespaceFor(file: string, root: string, namespaces: Map<string, string>): string | undefined {
  for (let d = dirname(file); ; d = dirname(d)) {
    const ns = namespaces.get(d);
    if (ns) return ns;
    if (d === root || d === dirname(d) || relative(root, d).startsWith('..')) return undefined;
  }
}

function isEventingObject(o: unknown): o is { kind: 'Broker' | 'Trigger'; apiVersion: string } {
  if (typeof o !== 'object' || o === null) return false;
  const { kind, apiVersion } = o as { kind?: unknown; apiVersion?: unknown };
  return (kind === 'Broker' || kind === 'Trigger') && typeof apiVersion === 'string' && apiVersion.startsWith('eventing.knative.dev/');
}

function nameOf(o: object): string {
  const name = (o as { metadata?: { name?: unknown } }).metadata?.name;
  return typeof name === 'string' ? `"${name}"` : '(unnamed)';
}

function describeIssue(issue: { path: PropertyKey[]; message: string }): string {
  return `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`;
}
