// Applies ActivityPolicies to the local control plane as `kubectl apply`
// would, then marks each Ready the way the Activity system's own controller
// does once it has compiled a policy: the reindex controller selects only
// Ready policies, and locally nothing else would ever set the condition.
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import type { ActivityPolicy } from '../shared/api/activity-policy.js';
import { ACTIVITYPOLICY_PLURAL, GROUP, VERSION } from '../shared/api/reindex-job.js';
import { statusCode } from '../shared/kube/reindex-job-client.js';
import { apiRejection } from '../shared/kube/api-rejection.js';

export async function applyReadyPolicies(kubeConfig: KubeConfig, policies: readonly ActivityPolicy[], now = new Date()): Promise<void> {
  const api = kubeConfig.makeApiClient(CustomObjectsApi);
  const ref = { group: GROUP, version: VERSION, plural: ACTIVITYPOLICY_PLURAL };
  for (const policy of policies) {
    const name = policy.metadata.name;
    const body = { apiVersion: `${GROUP}/${VERSION}`, kind: 'ActivityPolicy', metadata: { name, labels: policy.metadata.labels }, spec: policy.spec };
    let applied: ActivityPolicy;
    try {
      try {
        applied = (await api.createClusterCustomObject({ ...ref, body })) as ActivityPolicy;
      } catch (err) {
        if (statusCode(err) !== 409) throw err;
        const existing = (await api.getClusterCustomObject({ ...ref, name })) as ActivityPolicy;
        applied = (await api.replaceClusterCustomObject({
          ...ref,
          name,
          body: { ...body, metadata: { ...body.metadata, resourceVersion: existing.metadata.resourceVersion } },
        })) as ActivityPolicy;
      }
      const ready = { type: 'Ready', status: 'True', reason: 'Compiled', message: 'all rules compiled', observedGeneration: (applied.metadata as { generation?: number }).generation ?? 1, lastTransitionTime: now.toISOString().replace(/\.\d{3}Z$/, 'Z') };
      await api.patchClusterCustomObjectStatus({ ...ref, name, body: { status: { conditions: [ready] } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    } catch (err) {
      // A rejected object (422 from the CRD schema) becomes one line naming it, not client-node's dump.
      throw apiRejection(err, 'ActivityPolicy', name);
    }
  }
}
