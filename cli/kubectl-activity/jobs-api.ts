// ReindexJobs through the current kubeconfig, as kubectl would reach them:
// the same calls against a cluster and against `reindex up`.
import { CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { GROUP, REINDEXJOB_KIND, REINDEXJOB_PLURAL, VERSION, type ReindexJob, type ReindexJobSpec } from '../../shared/api/reindex-job.js';
import { apiRejection } from '../../shared/kube/api-rejection.js';

export interface KubeFlags {
  kubeconfig?: string;
  context?: string;
}

export interface JobsApi {
  create(name: string | undefined, spec: ReindexJobSpec): Promise<ReindexJob>;
  get(name: string): Promise<ReindexJob>;
  setSuspend(name: string, suspend: boolean): Promise<ReindexJob>;
  remove(name: string): Promise<void>;
}

export function jobsApi(flags: KubeFlags): JobsApi {
  const kc = new KubeConfig();
  if (flags.kubeconfig) kc.loadFromFile(flags.kubeconfig);
  else kc.loadFromDefault();
  if (flags.context) kc.setCurrentContext(flags.context);
  const api = kc.makeApiClient(CustomObjectsApi);
  const ref = { group: GROUP, version: VERSION, plural: REINDEXJOB_PLURAL };
  // The API server's refusal (422 naming the field, 404) as one line, not client-node's dump.
  const oneLine = (name: string) => (err: unknown) => {
    throw apiRejection(err, REINDEXJOB_KIND, name);
  };
  return {
    async create(name, spec) {
      const metadata = name ? { name } : { generateName: 'reindex-' };
      return api.createClusterCustomObject({ ...ref, body: { apiVersion: `${GROUP}/${VERSION}`, kind: REINDEXJOB_KIND, metadata, spec } }).catch(oneLine(name ?? 'reindex-…'));
    },
    async get(name) {
      return api.getClusterCustomObject({ ...ref, name }).catch(oneLine(name));
    },
    async setSuspend(name, suspend) {
      return api.patchClusterCustomObject({ ...ref, name, body: { spec: { suspend } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)).catch(oneLine(name));
    },
    async remove(name) {
      await api.deleteClusterCustomObject({ ...ref, name }).catch(oneLine(name));
    },
  };
}
