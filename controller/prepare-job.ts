import type { ActivityPolicy, DiscoveryTable } from '../shared/api/activity-policy.js';
import type { ReindexJob } from '../shared/api/reindex-job.js';
import type { PolicySnapshot, WindowSpec } from '../shared/contracts/window-requested.js';
import type { JobPlan, TimeRange } from './job-plan.js';
import { jobSettings } from './job-settings.js';
import { selectPolicies } from './select-policies.js';
import { MAX_WINDOW_EVENT_BYTES, windowPayload, windowPayloadBytes } from './window-payload.js';

export interface PrepareDeps {
  listPolicies: () => Promise<ActivityPolicy[]>;
  discoveryTable: () => Promise<DiscoveryTable>;
  /** Throws (PolicyCompileError) naming policy, rule and expression. */
  compilePolicies: (policies: PolicySnapshot[], discovery: DiscoveryTable) => void;
  planWindows: (range: TimeRange, batchSize: number) => Promise<WindowSpec[]>;
}

export type Preparation = { ok: true; plan: JobPlan } | { ok: false; reason: string; message: string };

/**
 * Everything a job needs before its first window: the policy snapshot (fail
 * early on a missing name or a rule that does not compile), the discovery
 * table, and the windows planned from ClickHouse counts.
 */
export async function prepareJob(job: ReindexJob, range: TimeRange, deps: PrepareDeps): Promise<Preparation> {
  const selection = selectPolicies(await deps.listPolicies(), job.spec.policySelector);
  if (!selection.ok) return { ok: false, reason: 'PolicyNotFound', message: selection.message };
  const policies = selection.policies.map(snapshotOf);
  const discovery = await deps.discoveryTable();
  try {
    deps.compilePolicies(policies, discovery);
  } catch (err) {
    return { ok: false, reason: 'PolicyCompileFailed', message: `policy does not compile: ${(err as Error).message}` };
  }
  const windows = await deps.planWindows(range, jobSettings(job.spec).batchSize);
  const plan: JobPlan = {
    jobUid: job.metadata.uid ?? '',
    resolvedTimeRange: range,
    windows,
    totalEvents: windows.reduce((sum, w) => sum + w.expectedEvents, 0),
    policies,
    discovery,
  };
  const sample = windows[0] ?? { index: 0, source: 'audit', from: range.startTime, to: range.endTime, expectedEvents: 0 };
  const bytes = windowPayloadBytes(windowPayload(job, plan, { window: sample, rateLimit: 1 }));
  if (bytes > MAX_WINDOW_EVENT_BYTES) {
    const message =
      `policy snapshot too large: a window event would be ${Math.ceil(bytes / 1024)} KiB with ${policies.length} policies, ` +
      `over the ${MAX_WINDOW_EVENT_BYTES / 1024} KiB limit; select fewer policies (spec.policySelector)`;
    return { ok: false, reason: 'PolicySnapshotTooLarge', message };
  }
  return { ok: true, plan };
}

function snapshotOf(policy: ActivityPolicy): PolicySnapshot {
  return {
    apiVersion: policy.apiVersion,
    kind: policy.kind,
    metadata: { name: policy.metadata.name, resourceVersion: policy.metadata.resourceVersion, labels: policy.metadata.labels },
    spec: policy.spec,
  };
}
