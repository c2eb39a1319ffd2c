// The project's CRDs, which the local API server serves by default:
// knative/crds/*.yaml and the opt-in ActivityPolicy CRD component (a local
// cluster has no Activity system to install it).
import { readdir, readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';

const CRD_DIRS = [new URL('../../knative/crds/', import.meta.url), new URL('../../knative/components/activitypolicy-crd/', import.meta.url)];

export async function loadProjectCrds(dirs: URL[] = CRD_DIRS): Promise<object[]> {
  const docs = await Promise.all(
    dirs.map(async (dir) => {
      const names = (await readdir(dir)).filter((n) => n.endsWith('.yaml') || n.endsWith('.yml')).sort();
      return Promise.all(names.map(async (n) => parseAllDocuments(await readFile(new URL(n, dir), 'utf8')).map((d) => d.toJS())));
    }),
  );
  return docs.flat(2).filter((d) => d?.kind === 'CustomResourceDefinition');
}
