// Reads the deployable manifests the way `kubectl apply -k knative/` would
// see them, without a kustomize binary: resolve `resources:` (files and
// nested kustomizations), parse every YAML document, apply the kustomization's
// namespace to namespaced objects. Shared by the manifest tests.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';

export const ROOT = new URL('..', import.meta.url).pathname;

export type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
};

/** A parsed document and the file it came from (relative to the project). */
export type Loaded = { file: string; doc: Manifest };

const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'ReindexJob',
  'ActivityPolicy',
]);

/** Every non-empty YAML document in a file; a syntax error throws naming the file. */
export function loadYamlFile(path: string): Manifest[] {
  const docs = parseAllDocuments(readFileSync(path, 'utf8'));
  const out: Manifest[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new Error(`${relative(ROOT, path)}: ${doc.errors[0].message}`);
    const value = doc.toJS() as Manifest | null;
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

export type Kustomization = {
  namespace?: string;
  resources?: string[];
  images?: { name: string; newName?: string; newTag?: string; digest?: string }[];
};

export function readKustomization(dir: string): Kustomization {
  const [k] = loadYamlFile(join(dir, 'kustomization.yaml')) as unknown as Kustomization[];
  return k;
}

/**
 * The objects `kustomize build <dir>` would emit, minus image rewriting.
 * A resource that is missing, or a directory without a kustomization,
 * throws naming it.
 */
export function renderKustomization(dir: string): Loaded[] {
  const k = readKustomization(dir);
  const out: Loaded[] = [];
  for (const entry of k.resources ?? []) {
    const path = join(dir, entry);
    if (!existsSync(path)) throw new Error(`${relative(ROOT, dir)}/kustomization.yaml: resource ${entry} does not exist`);
    const loaded = statSync(path).isDirectory()
      ? renderKustomization(path)
      : loadYamlFile(path).map((doc) => ({ file: relative(ROOT, path), doc }));
    out.push(...loaded);
  }
  if (k.namespace) {
    for (const { doc } of out) {
      if (!CLUSTER_SCOPED.has(doc.kind)) doc.metadata.namespace = k.namespace;
    }
  }
  return out;
}

export const KNATIVE_DIR = join(ROOT, 'knative');

export function renderKnative(): Loaded[] {
  return renderKustomization(KNATIVE_DIR);
}

export function find(all: Loaded[], kind: string, name: string): Manifest | undefined {
  return all.find(({ doc }) => doc.kind === kind && doc.metadata.name === name)?.doc;
}

export function dirOf(file: string): string {
  return dirname(join(ROOT, file));
}
