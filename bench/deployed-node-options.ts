// The NODE_OPTIONS a component runs with on a cluster, read from its
// manifest, so the control-plane bench runs the controller and aggregator
// with the heap they are deployed with rather than an unbounded one.
import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';

interface Container {
  env?: { name: string; value?: string }[];
}

/** The first container's NODE_OPTIONS in the given manifest file (a Deployment or a Knative Service); '' when unset. */
export async function deployedNodeOptions(manifest: URL): Promise<string> {
  for (const doc of parseAllDocuments(await readFile(manifest, 'utf8'))) {
    const object = doc.toJS() as { kind?: string; spec?: { template?: { spec?: { containers?: Container[] } } } } | null;
    if (object?.kind !== 'Deployment' && object?.kind !== 'Service') continue;
    const container = object.spec?.template?.spec?.containers?.[0];
    if (container) return container.env?.find((e) => e.name === 'NODE_OPTIONS')?.value ?? '';
  }
  return '';
}
