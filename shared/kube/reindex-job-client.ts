// ReindexJob reads and status writes shared by the controller and the
// aggregator. A status write is a JSON merge patch of `/status` guarded by
// metadata.resourceVersion; on 409 it re-reads and re-applies the same pure
// mutation, so concurrent writers never lose each other's counts.
import { PatchStrategy, setHeaderOptions, type CustomObjectsApi } from '@kubernetes/client-node';
import { GROUP, REINDEXJOB_PLURAL, VERSION, type ReindexJob, type ReindexJobStatus } from '../api/reindex-job.js';
import { mergePatchDiff } from './merge-patch-diff.js';

const JOBS = { group: GROUP, version: VERSION, plural: REINDEXJOB_PLURAL };
const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export function statusCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown; statusCode?: unknown })?.code ?? (err as { statusCode?: unknown })?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

export async function getJob(api: CustomObjectsApi, name: string): Promise<ReindexJob | undefined> {
  try {
    return (await api.getClusterCustomObject({ ...JOBS, name })) as ReindexJob;
  } catch (err) {
    if (statusCode(err) === 404) return undefined;
    throw err;
  }
}

export async function listJobs(api: CustomObjectsApi, labelSelector?: string): Promise<{ items: ReindexJob[]; resourceVersion: string }> {
  const list = (await api.listClusterCustomObject({ ...JOBS, labelSelector })) as { items: ReindexJob[]; metadata?: { resourceVersion?: string } };
  return { items: list.items ?? [], resourceVersion: list.metadata?.resourceVersion ?? '' };
}

/** One guarded write: 409 when the job changed since `job` was read. Undefined patch = nothing to write. */
export async function patchJobStatus(api: CustomObjectsApi, job: ReindexJob, status: ReindexJobStatus): Promise<ReindexJob> {
  const diff = mergePatchDiff(job.status ?? {}, status);
  if (diff === undefined) return job;
  const body = { metadata: { resourceVersion: job.metadata.resourceVersion }, status: diff };
  return (await api.patchClusterCustomObjectStatus({ ...JOBS, name: job.metadata.name, body }, MERGE_PATCH)) as ReindexJob;
}

export interface UpdateOptions {
  /** Attempts before giving up on conflicts; default 20. */
  attempts?: number;
}

/**
 * Read the job, compute its whole new status with `mutate` (pure; undefined = no change), write the
 * difference. Retried from the read on 409. Undefined when the job does not exist (any more).
 */
export async function updateJobStatus(
  api: CustomObjectsApi,
  name: string,
  mutate: (job: ReindexJob) => ReindexJobStatus | undefined,
  opts: UpdateOptions = {},
): Promise<ReindexJob | undefined> {
  const attempts = opts.attempts ?? 20;
  for (let attempt = 1; ; attempt++) {
    const job = await getJob(api, name);
    if (!job) return undefined;
    const status = mutate(structuredClone(job));
    if (status === undefined) return job;
    try {
      return await patchJobStatus(api, job, status);
    } catch (err) {
      const code = statusCode(err);
      if (code === 404) return undefined;
      if (code !== 409 || attempt >= attempts) throw err;
      // Jitter spreads writers that collided, so the next round does not collide again.
      await new Promise((ok) => setTimeout(ok, Math.random() * 10 * attempt));
    }
  }
}
