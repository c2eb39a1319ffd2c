import { setTimeout as delay } from 'node:timers/promises';
import { CustomObjectsApi } from '@kubernetes/client-node';
import type { ActivityPolicy } from '../shared/api/activity-policy.js';
import {
  GROUP,
  REINDEXJOB_KIND,
  REINDEXJOB_PLURAL,
  TERMINAL_PHASES,
  VERSION,
  type ReindexJob,
  type ReindexJobSpec,
} from '../shared/api/reindex-job.js';
import { apiRejection } from '../shared/kube/api-rejection.js';
import { applyReadyPolicies } from './apply-ready-policies.js';
import type { LocalStack } from './local-stack.js';

export interface LocalJobRequest {
  name: string;
  spec: ReindexJobSpec;
  policies: ActivityPolicy[];
  /** Called with the job each time its status is read. */
  onProgress?: (job: ReindexJob) => void;
  pollMs?: number;
  /** Gives up, throwing, when the job has not finished, or its activities not reached the sink, by then (default: waits as long as it runs). */
  timeoutMs?: number;
}

/**
 * Applies the policies (marked Ready) and the ReindexJob to the local control plane, as
 * `kubectl apply` would, and follows the job until it finishes; then waits
 * for every published activity to reach audit.activities.
 */
export async function runLocalJob(stack: LocalStack, request: LocalJobRequest): Promise<ReindexJob> {
  const api = stack.kubeConfig.makeApiClient(CustomObjectsApi);
  await applyReadyPolicies(stack.kubeConfig, request.policies);
  try {
    await api.createClusterCustomObject({
      group: GROUP,
      version: VERSION,
      plural: REINDEXJOB_PLURAL,
      body: { apiVersion: `${GROUP}/${VERSION}`, kind: REINDEXJOB_KIND, metadata: { name: request.name }, spec: request.spec },
    });
  } catch (err) {
    throw apiRejection(err, REINDEXJOB_KIND, request.name);
  }
  const deadline = request.timeoutMs === undefined ? Infinity : Date.now() + request.timeoutMs;
  for (;;) {
    const job = stack.kube.getObject(GROUP, REINDEXJOB_PLURAL, request.name) as ReindexJob | undefined;
    if (!job) throw new Error(`ReindexJob ${request.name} was deleted while it ran`);
    request.onProgress?.(job);
    if (TERMINAL_PHASES.has(job.status?.phase ?? 'Pending')) {
      await stack.drainActivities(request.timeoutMs === undefined ? undefined : Math.max(10_000, deadline - Date.now()));
      return job;
    }
    if (Date.now() > deadline) {
      throw new Error(`ReindexJob ${request.name} did not finish within ${request.timeoutMs} ms: ${JSON.stringify(job.status ?? {})}`);
    }
    await delay(request.pollMs ?? 200);
  }
}
