import type { CoreV1Api, V1ConfigMap } from '@kubernetes/client-node';
import { GROUP, REINDEXJOB_KIND, VERSION, type ReindexJob } from '../shared/api/reindex-job.js';
import { emptyEmissionRecord, parseEmissionRecord, printEmissionRecord, type EmissionRecord } from '../shared/contracts/emission-record.js';
import { parseJobPlan, planWindows, printJobPlan, type JobPlan, type PlanWindows } from '../shared/contracts/job-plan.js';
import { statusCode } from '../shared/kube/reindex-job-client.js';
import type { Logger } from '../shared/log.js';
import { MAX_PLAN_BYTES } from './plan-size.js';

export interface StoredPlan {
  plan?: JobPlan;
  /** The plan's windows, derived once per load. */
  windows?: PlanWindows;
  record: EmissionRecord;
}

export interface PlanStore {
  /** The job's plan and emission record; read from the API once, then kept. */
  load(job: ReindexJob): Promise<StoredPlan>;
  /** Writes the plan, once: its ConfigMap is immutable. */
  save(job: ReindexJob, plan: JobPlan): Promise<void>;
  /** Replaces the emission record (a small object: its size is bounded by parallelism). */
  saveRecord(job: ReindexJob, record: EmissionRecord): Promise<void>;
  forget(jobUid: string): void;
}

/** The immutable plan: `plan.json`. */
export function planConfigMapName(jobName: string): string {
  return `reindexjob-${jobName}`;
}

/** The emission record, rewritten as windows go out: `emission.json`. */
export function emissionConfigMapName(jobName: string): string {
  return `reindexjob-${jobName}-emission`;
}

export const PLAN_KEY = 'plan.json';
export const EMISSION_KEY = 'emission.json';

interface Entry {
  stored: StoredPlan;
  /** The emission ConfigMap's resourceVersion as last written or read. */
  recordVersion?: string;
}

/**
 * Plans live in two ConfigMaps per job in the controller's namespace, owned
 * by the job so they go when it goes: the plan, written once and immutable,
 * and the emission record, replaced per emission pass. Splitting them keeps
 * what etcd stores per emission small, whatever the plan's size. The
 * controller is the only writer, so get/create/update with resourceVersion
 * suffice.
 */
export function createPlanStore(core: CoreV1Api, namespace: string, log?: Logger): PlanStore {
  const entries = new Map<string, Entry>();

  async function read(name: string): Promise<V1ConfigMap | undefined> {
    try {
      return await core.readNamespacedConfigMap({ name, namespace });
    } catch (err) {
      if (statusCode(err) === 404) return undefined;
      throw err;
    }
  }

  function body(job: ReindexJob, name: string, data: Record<string, string>, extra: Partial<V1ConfigMap> = {}): V1ConfigMap {
    return {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name,
        namespace,
        labels: { 'activity.miloapis.com/reindexjob': job.metadata.name },
        ownerReferences: [{ apiVersion: `${GROUP}/${VERSION}`, kind: REINDEXJOB_KIND, name: job.metadata.name, uid: job.metadata.uid ?? '', controller: true }],
      },
      data,
      ...extra,
    };
  }

  /** Parsed, or undefined (logged) when it belongs to another job or does not parse. */
  function decode<T extends { jobUid: string }>(job: ReindexJob, text: string | undefined, parse: (text: string) => T): T | undefined {
    if (!text) return undefined;
    try {
      const value = parse(text);
      // A ConfigMap of an earlier job with the same name is not this job's.
      return value.jobUid === job.metadata.uid ? value : undefined;
    } catch (err) {
      log?.warn({ err, reindexJob: job.metadata.name }, 'Ignored unreadable plan ConfigMap of ReindexJob');
      return undefined;
    }
  }

  return {
    async load(job) {
      const uid = job.metadata.uid ?? '';
      let entry = entries.get(uid);
      if (!entry) {
        const [planMap, recordMap] = await Promise.all([read(planConfigMapName(job.metadata.name)), read(emissionConfigMapName(job.metadata.name))]);
        const plan = decode(job, planMap?.data?.[PLAN_KEY], parseJobPlan);
        const record = (plan && decode(job, recordMap?.data?.[EMISSION_KEY], parseEmissionRecord)) || emptyEmissionRecord(uid);
        entry = { stored: { plan, windows: plan && planWindows(plan), record }, recordVersion: recordMap?.metadata?.resourceVersion };
        entries.set(uid, entry);
      }
      return entry.stored;
    },
    async save(job, plan) {
      const text = printJobPlan(plan);
      const bytes = Buffer.byteLength(text);
      // prepareJob refuses such plans; this guards the API call itself.
      if (bytes > MAX_PLAN_BYTES) throw new Error(`plan of ReindexJob ${job.metadata.name} would be ${Math.ceil(bytes / 1024)} KiB, over ${MAX_PLAN_BYTES / 1024} KiB`);
      const name = planConfigMapName(job.metadata.name);
      try {
        await core.createNamespacedConfigMap({ namespace, body: body(job, name, { [PLAN_KEY]: text }, { immutable: true }) });
      } catch (err) {
        if (statusCode(err) !== 409) throw err;
        // Left by an earlier life of this controller: the same job's plan stands (it is immutable).
        const existing = parseJobPlan((await read(name))?.data?.[PLAN_KEY] ?? '');
        // An earlier job of the same name owned it: garbage collection removes it with that job; the retry comes after.
        if (existing.jobUid !== job.metadata.uid) throw new Error(`ConfigMap ${name} still holds the plan of an earlier ReindexJob ${job.metadata.name} (uid ${existing.jobUid}); waiting for its garbage collection`);
        plan = existing;
      }
      const previous = entries.get(job.metadata.uid ?? '');
      entries.set(job.metadata.uid ?? '', { stored: { plan, windows: planWindows(plan), record: emptyEmissionRecord(plan.jobUid) }, recordVersion: previous?.recordVersion });
    },
    async saveRecord(job, record) {
      const entry = entries.get(job.metadata.uid ?? '');
      if (!entry) throw new Error(`no plan loaded for ReindexJob ${job.metadata.name}`);
      const name = emissionConfigMapName(job.metadata.name);
      const configMap = body(job, name, { [EMISSION_KEY]: printEmissionRecord(record) });
      const write = async (version: string | undefined) =>
        version === undefined
          ? core.createNamespacedConfigMap({ namespace, body: configMap })
          : core.replaceNamespacedConfigMap({ name, namespace, body: { ...configMap, metadata: { ...configMap.metadata, resourceVersion: version } } });
      let written: V1ConfigMap;
      try {
        written = await write(entry.recordVersion);
      } catch (err) {
        // 409: a stale version (an earlier life of this controller wrote last, or an earlier job's record); 404: deleted.
        // This controller is the only writer, so the freshly read version wins once.
        if (statusCode(err) !== 409 && statusCode(err) !== 404) throw err;
        written = await write((await read(name))?.metadata?.resourceVersion);
      }
      entry.recordVersion = written.metadata?.resourceVersion;
      entry.stored = { ...entry.stored, record };
    },
    forget(jobUid) {
      entries.delete(jobUid);
    },
  };
}
