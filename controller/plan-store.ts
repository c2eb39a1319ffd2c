import type { CoreV1Api, V1ConfigMap } from '@kubernetes/client-node';
import { GROUP, REINDEXJOB_KIND, VERSION, type ReindexJob } from '../shared/api/reindex-job.js';
import { statusCode } from '../shared/kube/reindex-job-client.js';
import type { EmittedWindows, JobPlan } from './job-plan.js';
import { dataBytes, MAX_PLAN_CONFIGMAP_BYTES, planConfigMapData } from './plan-size.js';

export interface StoredPlan {
  plan?: JobPlan;
  emitted: EmittedWindows;
}

export interface PlanStore {
  /** The job's plan and emission record; read from the API once, then kept. */
  load(job: ReindexJob): Promise<StoredPlan>;
  save(job: ReindexJob, plan: JobPlan): Promise<void>;
  recordEmitted(job: ReindexJob, emissions: ReadonlyArray<readonly [index: number, at: number]>): Promise<void>;
  forget(jobUid: string): void;
}

export function planConfigMapName(jobName: string): string {
  return `reindexjob-${jobName}`;
}

interface Entry {
  configMap?: V1ConfigMap;
  plan?: JobPlan;
  emitted: Map<number, number>;
}

/**
 * Plans live in a ConfigMap per job in the controller's namespace, owned by
 * the job so it goes when the job goes. The controller is its only writer,
 * so plain get/create/update with resourceVersion suffice.
 */
export function createPlanStore(core: CoreV1Api, namespace: string): PlanStore {
  const entries = new Map<string, Entry>();

  async function read(job: ReindexJob): Promise<V1ConfigMap | undefined> {
    try {
      return await core.readNamespacedConfigMap({ name: planConfigMapName(job.metadata.name), namespace });
    } catch (err) {
      if (statusCode(err) === 404) return undefined;
      throw err;
    }
  }

  // Only a stale version (an earlier life of this controller wrote last) conflicts; a few rounds settle it.
  const MAX_WRITE_ATTEMPTS = 10;

  async function write(job: ReindexJob, entry: Entry, attempt = 1): Promise<void> {
    const data = planConfigMapData(entry.plan, entry.emitted);
    const bytes = dataBytes(data);
    // prepareJob refuses plans that cannot fit even fully emitted; this guards the API call itself.
    if (bytes > MAX_PLAN_CONFIGMAP_BYTES) {
      throw new Error(`plan ConfigMap of ReindexJob ${job.metadata.name} would be ${Math.ceil(bytes / 1024)} KiB, over ${MAX_PLAN_CONFIGMAP_BYTES / 1024} KiB`);
    }
    const body: V1ConfigMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: planConfigMapName(job.metadata.name),
        namespace,
        resourceVersion: entry.configMap?.metadata?.resourceVersion,
        labels: { 'activity.miloapis.com/reindexjob': job.metadata.name },
        ownerReferences: [
          { apiVersion: `${GROUP}/${VERSION}`, kind: REINDEXJOB_KIND, name: job.metadata.name, uid: job.metadata.uid ?? '', controller: true },
        ],
      },
      data,
    };
    try {
      entry.configMap = entry.configMap
        ? await core.replaceNamespacedConfigMap({ name: body.metadata!.name!, namespace, body })
        : await core.createNamespacedConfigMap({ namespace, body });
    } catch (err) {
      if (statusCode(err) !== 409 || attempt >= MAX_WRITE_ATTEMPTS) throw err;
      // Created by an earlier life of this controller, or a stale version: take the current one and write over it.
      entry.configMap = await read(job);
      await write(job, entry, attempt + 1);
    }
  }

  return {
    async load(job) {
      const uid = job.metadata.uid ?? '';
      let entry = entries.get(uid);
      if (!entry) {
        const configMap = await read(job);
        entry = { configMap, emitted: new Map() };
        const plan = parse<JobPlan>(configMap?.data?.['plan.json']);
        // A ConfigMap of an earlier job with the same name is not this job's plan.
        if (plan && plan.jobUid === uid) {
          entry.plan = plan;
          const emitted = parse<Record<string, number>>(configMap?.data?.['emitted.json']) ?? {};
          entry.emitted = new Map(Object.entries(emitted).map(([index, at]) => [Number(index), at]));
        }
        entries.set(uid, entry);
      }
      return { plan: entry.plan, emitted: entry.emitted };
    },
    async save(job, plan) {
      const entry: Entry = entries.get(job.metadata.uid ?? '') ?? { emitted: new Map() };
      entry.plan = plan;
      entry.emitted = new Map();
      await write(job, entry);
      entries.set(job.metadata.uid ?? '', entry);
    },
    async recordEmitted(job, emissions) {
      const entry = entries.get(job.metadata.uid ?? '');
      if (!entry) throw new Error(`no plan loaded for ReindexJob ${job.metadata.name}`);
      for (const [index, at] of emissions) entry.emitted.set(index, at);
      await write(job, entry);
    },
    forget(jobUid) {
      entries.delete(jobUid);
    },
  };
}

function parse<T>(text: string | undefined): T | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
