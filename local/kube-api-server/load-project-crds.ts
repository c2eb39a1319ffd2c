// The project's CRDs (knative/crds/*.yaml), which the local API server serves by default.
import { readdir, readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';

const CRD_DIR = new URL('../../knative/crds/', import.meta.url);

export async function loadProjectCrds(dir: URL = CRD_DIR): Promise<object[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.yaml') || n.endsWith('.yml')).sort();
  const docs = await Promise.all(names.map(async (n) => parseAllDocuments(await readFile(new URL(n, dir), 'utf8')).map((d) => d.toJS())));
  return docs.flat().filter((d) => d?.kind === 'CustomResourceDefinition');
}
