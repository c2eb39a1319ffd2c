// ReindexJob reads and status writes shared by the controller and the
// aggregator. A status write is a JSON merge patch of `/status` guarded by
// metadata.resourceVersion; on 409 it re-reads and re-applies the same pure
// mutation, so concurrent writers never lose each other's counts. Both write
// through updateJobStatus; they differ only in how long they keep trying.
import pRetry from 'p-retry';
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
  /** Retries after the first attempt; default 19: the controller reads and decides again on its next reconcile anyway. */
  retries?: number;
  /** Which failures are retried; default only 409 (someone else wrote in between). */
  retryable?: (err: unknown, attempt: number) => boolean;
  /** First backoff delay, doubled per retry up to maxBackoffMs; below that cap randomized (×1–2) so writers that collided do not collide again in step. Defaults 10 ms and 200 ms. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Called with each failed attempt that will be retried (e.g. to log it). */
  onRetry?: (err: unknown, attempt: number) => void;
}

/** 409, 429, 5xx and no answer at all may go away; anything else will not. */
export function transientStatusError(err: unknown): boolean {
  const code = statusCode(err);
  return code === undefined || code === 409 || code === 429 || code >= 500;
}

/**
 * Read the job, compute its whole new status with `mutate` (pure; undefined = no change), write the
 * difference. Each retry starts from a fresh read (p-retry, with backoff). Undefined when the job
 * does not exist (any more).
 */
export async function updateJobStatus(
  api: CustomObjectsApi,
  name: string,
  mutate: (job: ReindexJob) => ReindexJobStatus | undefined,
  opts: UpdateOptions = {},
): Promise<ReindexJob | undefined> {
  const retryable = opts.retryable ?? ((err: unknown) => statusCode(err) === 409);
  const attempt = async (): Promise<ReindexJob | undefined> => {
    const job = await getJob(api, name);
    if (!job) return undefined;
    const status = mutate(structuredClone(job));
    if (status === undefined) return job;
    try {
      return await patchJobStatus(api, job, status);
    } catch (err) {
      if (statusCode(err) === 404) return undefined;
      throw err;
    }
  };
  return pRetry(
    () =>
      attempt().catch((err: unknown) => {
        throw retryableError(err);
      }),
    {
      retries: opts.retries ?? 19,
      factor: 2,
      minTimeout: opts.minBackoffMs ?? 10,
      maxTimeout: opts.maxBackoffMs ?? 200,
      randomize: true,
      shouldRetry: ({ error, attemptNumber }) => retryable(error, attemptNumber),
      onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
        if (retriesLeft > 0 && retryable(error, attemptNumber)) opts.onRetry?.(error, attemptNumber);
      },
    },
  );
}

// p-retry rethrows a TypeError (other than a network error) and anything
// that is not an Error without asking shouldRetry: as an Error of its own,
// carrying the status code, it is the caller's `retryable` that decides.
function retryableError(err: unknown): unknown {
  if (err instanceof Error && !(err instanceof TypeError)) return err;
  const wrapped = new Error(err instanceof Error ? err.message : String(err), { cause: err }) as Error & { code?: number };
  const code = statusCode(err);
  if (code !== undefined) wrapped.code = code;
  return wrapped;
}
