import { CoreV1Api, CustomObjectsApi, EventsV1Api, type KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import { EMISSION_KEY, emissionConfigMapName, PLAN_KEY, planConfigMapName } from '../controller/plan-store.js';
import { parseEmissionRecord } from '../shared/contracts/emission-record.js';
import { parseJobPlan, planWindows, type JobPlan } from '../shared/contracts/job-plan.js';
import { GROUP, REINDEXJOB_KIND, REINDEXJOB_PLURAL, VERSION, type ReindexJob } from '../shared/api/reindex-job.js';
import type { JobEvent, JobSource } from './job-source.js';

export interface KubeJobSourceOptions {
  /** Where the controller keeps each job's plan ConfigMap. */
  namespace: string;
  /** Where Events about the cluster-scoped jobs are recorded (shared/kube/record-event.ts). */
  eventsNamespace?: string;
}

/**
 * Reads ReindexJobs, their plan ConfigMaps and their Events through the
 * Kubernetes API: get/list only, so read-only RBAC suffices.
 */
export function kubeJobSource(kubeConfig: KubeConfig, options: KubeJobSourceOptions): JobSource {
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const eventsApi = kubeConfig.makeApiClient(EventsV1Api);
  const eventsNamespace = options.eventsNamespace ?? 'default';
  const ref = { group: GROUP, version: VERSION, plural: REINDEXJOB_PLURAL };
  // The uid last seen per name: a plan or Event of an earlier job with the same name is not this job's.
  const uids = new Map<string, string | undefined>();
  // A plan ConfigMap is immutable (controller/plan-store.ts): read and parsed once per job.
  const plans = new Map<string, JobPlan>();

  function configMap(name: string): Promise<V1ConfigMap | undefined> {
    return orUndefinedOn404(core.readNamespacedConfigMap({ name, namespace: options.namespace }));
  }

  async function plan(name: string): Promise<JobPlan | undefined> {
    const uid = uids.get(name);
    const cached = plans.get(name);
    if (cached && (!uid || cached.jobUid === uid)) return cached;
    const read = parseOrUndefined(parseJobPlan, (await configMap(planConfigMapName(name)))?.data?.[PLAN_KEY]);
    if (!read || (uid && read.jobUid !== uid)) return undefined;
    plans.set(name, read);
    return read;
  }

  return {
    async listJobs() {
      const list = (await custom.listClusterCustomObject(ref)) as { items: ReindexJob[] };
      for (const job of list.items) uids.set(job.metadata.name, job.metadata.uid);
      return list.items;
    },
    async getJob(name) {
      const job = (await orUndefinedOn404(custom.getClusterCustomObject({ ...ref, name }))) as ReindexJob | undefined;
      uids.set(name, job?.metadata.uid);
      return job;
    },
    async getPlan(name) {
      const stored = await plan(name);
      return stored && planWindows(stored).all();
    },
    async listEmitted(name) {
      const stored = await plan(name);
      if (!stored) return undefined;
      const record = parseOrUndefined(parseEmissionRecord, (await configMap(emissionConfigMapName(name)))?.data?.[EMISSION_KEY]);
      if (!record || record.jobUid !== stored.jobUid) return [];
      return [...Array.from({ length: record.next }, (_, i) => i), ...record.inFlight.map(([index]) => index)];
    },
    async listEvents(name) {
      // Filtered here rather than by fieldSelector: `regarding.*` selectors
      // are not served everywhere, and the namespace holds few Events.
      const list = await eventsApi.listNamespacedEvent({ namespace: eventsNamespace });
      const uid = uids.get(name);
      return list.items
        .filter((e) => e.regarding?.kind === REINDEXJOB_KIND && e.regarding.name === name)
        .filter((e) => !uid || !e.regarding?.uid || e.regarding.uid === uid)
        .map(
          (e): JobEvent => ({
            type: e.type ?? 'Normal',
            reason: e.reason ?? '',
            message: e.note ?? '',
            time: isoTime(e.series?.lastObservedTime ?? e.eventTime ?? e.deprecatedLastTimestamp ?? e.metadata?.creationTimestamp),
          }),
        );
    },
  };
}

async function orUndefinedOn404<T>(request: Promise<T>): Promise<T | undefined> {
  try {
    return await request;
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}

function parseOrUndefined<T>(parse: (text: string) => T, text: string | undefined): T | undefined {
  if (!text) return undefined;
  try {
    return parse(text);
  } catch {
    return undefined;
  }
}

function isoTime(time: Date | string | undefined): string {
  const date = time ? new Date(time) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date.toISOString() : '';
}
