import type { ActivityPolicy, DiscoveryTable } from '../shared/api/activity-policy.js';
import type { JobPolicy, ReindexJob } from '../shared/api/reindex-job.js';
import type { PolicySnapshot, WindowSpec } from '../shared/contracts/window-requested.js';
import { SourceLayoutError } from '../shared/clickhouse/source-layout.js';
import { fixedSpecOf } from './fixed-spec.js';
import { encodePlanWindows, type JobPlan, type TimeRange } from '../shared/contracts/job-plan.js';
import { discoveryForPolicies } from './discovery-for-policies.js';
import { jobSettings, type JobSettings } from './job-settings.js';
import { MAX_PLAN_BYTES, planBytes } from './plan-size.js';
import { selectPolicies } from './select-policies.js';
import { MAX_WINDOW_EVENT_BYTES, windowPayload, windowPayloadBytes } from './window-payload.js';

export interface PrepareDeps {
  listPolicies: () => Promise<ActivityPolicy[]>;
  discoveryTable: () => Promise<DiscoveryTable>;
  /** Throws (PolicyCompileError) naming policy, rule and expression. */
  compilePolicies: (policies: PolicySnapshot[], discovery: DiscoveryTable) => void;
  /** Windows sized by the settings as the job starts (controller/window-target.ts). */
  planWindows: (range: TimeRange, settings: JobSettings) => Promise<WindowSpec[]>;
}

export type Preparation = { ok: true; plan: JobPlan } | { ok: false; reason: string; message: string; policies?: JobPolicy[] };

/**
 * Everything a job needs before its first window: the policy snapshot of
 * the Ready policies (fail early on a missing name, no Ready policy, or a
 * rule that does not compile), the discovery
 * table, and the windows planned from ClickHouse counts.
 */
export async function prepareJob(job: ReindexJob, range: TimeRange, deps: PrepareDeps): Promise<Preparation> {
  const selection = selectPolicies(await deps.listPolicies(), job.spec.policySelector);
  if (!selection.ok) return { ok: false, reason: selection.reason, message: selection.message, policies: selection.skipped };
  const policies = selection.policies.map(snapshotOf);
  const discovery = await deps.discoveryTable();
  try {
    deps.compilePolicies(policies, discovery);
  } catch (err) {
    return { ok: false, reason: 'PolicyCompileFailed', message: `policy does not compile: ${(err as Error).message}` };
  }
  let windows: WindowSpec[];
  try {
    windows = await deps.planWindows(range, jobSettings(job.spec));
  } catch (err) {
    // A source table we cannot read never gets better by retrying: fail the job, naming table and column.
    if (err instanceof SourceLayoutError) return { ok: false, reason: 'SourceTableUnusable', message: err.message };
    throw err;
  }
  const plan: JobPlan = {
    jobUid: job.metadata.uid ?? '',
    resolvedTimeRange: range,
    windows: encodePlanWindows(range, windows),
    policies,
    skippedPolicies: selection.skipped,
    // Every window event carries this: only what the policies can use (discovery-for-policies.ts).
    discovery: discoveryForPolicies(policies, discovery),
    fixedSpec: fixedSpecOf(job.spec),
  };
  const bytes = planBytes(plan);
  if (bytes > MAX_PLAN_BYTES) {
    const message =
      `window plan too large: ${windows.length} windows and the policy snapshot need ${Math.ceil(bytes / 1024)} KiB, ` +
      `over the ${MAX_PLAN_BYTES / 1024} KiB a plan ConfigMap may hold; select fewer policies (spec.policySelector) ` +
      `or split spec.timeRange into several jobs`;
    return { ok: false, reason: 'PlanTooLarge', message };
  }
  const sample = windows[0] ?? { index: 0, source: 'audit', from: range.startTime, to: range.endTime, expectedEvents: 0 };
  const eventBytes = windowPayloadBytes(windowPayload(job, plan, { window: sample, rateLimit: 1, attempt: 1, slot: 0 }));
  if (eventBytes > MAX_WINDOW_EVENT_BYTES) {
    const message =
      `policy snapshot too large: a window event would be ${Math.ceil(eventBytes / 1024)} KiB with ${policies.length} policies, ` +
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
