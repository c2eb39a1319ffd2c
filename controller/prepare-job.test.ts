import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ActivityPolicy } from '../shared/api/activity-policy.js';
import type { ReindexJob } from '../shared/api/reindex-job.js';
import { compilePolicies } from '../shared/policy/policy-engine.js';
import { prepareJob, type PrepareDeps } from './prepare-job.js';

const range = { startTime: '2026-01-01T00:00:00.000Z', endTime: '2026-01-01T01:00:00.000Z' };
const job = (selector?: ReindexJob['spec']['policySelector']): ReindexJob => ({
  apiVersion: 'activity.miloapis.com/v1alpha1',
  kind: 'ReindexJob',
  metadata: { name: 'j', uid: 'uid-j', generation: 1 },
  spec: { timeRange: range, policySelector: selector },
});
const policy = (name: string, match = "audit.verb == 'update'", labels?: Record<string, string>): ActivityPolicy => ({
  apiVersion: 'activity.miloapis.com/v1alpha1',
  kind: 'ActivityPolicy',
  metadata: { name, resourceVersion: '7', labels },
  spec: { resource: { apiGroup: 'apps', kind: 'Deployment' }, auditRules: [{ name: 'updated', match, summary: 'updated' }] },
});
const deps = (policies: ActivityPolicy[]): PrepareDeps => ({
  listPolicies: async () => policies,
  discoveryTable: async () => ({ 'apps/deployments': 'Deployment' }),
  compilePolicies: (snapshot, discovery) => void compilePolicies(snapshot, discovery),
  planWindows: async (r) => [{ index: 0, source: 'audit', from: r.startTime, to: r.endTime, expectedEvents: 5 }],
});

test('snapshots the named policies with their resourceVersion and plans the windows', async () => {
  const prepared = await prepareJob(job({ names: ['b'] }), range, deps([policy('a'), policy('b')]));
  assert.ok(prepared.ok);
  assert.deepEqual(prepared.plan.policies.map((p) => [p.metadata.name, p.metadata.resourceVersion]), [['b', '7']]);
  assert.equal(prepared.plan.totalEvents, 5);
  assert.equal(prepared.plan.jobUid, 'uid-j');
});

test('selects by labels, or all policies in name order without a selector', async () => {
  const all = [policy('z', undefined, { team: 'x' }), policy('a'), policy('m', undefined, { team: 'x' })];
  const byLabel = await prepareJob(job({ matchLabels: { team: 'x' } }), range, deps(all));
  assert.deepEqual(byLabel.ok && byLabel.plan.policies.map((p) => p.metadata.name), ['m', 'z']);
  const every = await prepareJob(job(), range, deps(all));
  assert.deepEqual(every.ok && every.plan.policies.map((p) => p.metadata.name), ['a', 'm', 'z']);
});

test('fails naming a policy that does not exist', async () => {
  const prepared = await prepareJob(job({ names: ['a', 'ghost'] }), range, deps([policy('a')]));
  assert.equal(prepared.ok, false);
  assert.match(!prepared.ok ? prepared.message : '', /spec\.policySelector\.names: .*"ghost" not found/);
});

test('fails naming the policy and rule whose expression does not compile', async () => {
  const prepared = await prepareJob(job(), range, deps([policy('broken', 'audit.verb ==')]));
  assert.equal(prepared.ok, false);
  assert.match(!prepared.ok ? prepared.message : '', /broken.*updated/);
});

test('fails rather than truncates when the policy snapshot would make window events too large', async () => {
  const huge = Array.from({ length: 60 }, (_, i) => ({ ...policy(`p${i}`), spec: { ...policy('x').spec, auditRules: [{ name: 'r', match: 'true', summary: 'x'.repeat(4000) }] } }));
  const prepared = await prepareJob(job(), range, deps(huge));
  assert.equal(prepared.ok, false);
  assert.match(!prepared.ok ? prepared.message : '', /policy snapshot too large: a window event would be \d+ KiB with 60 policies/);
});

test('fixes timeRange, policySelector, batchSize and dryRun in the plan, and plans with the settings as of the start', async () => {
  const started = { ...job({ names: ['a'] }), spec: { ...job({ names: ['a'] }).spec, config: { batchSize: 500, dryRun: true, rateLimit: 40, parallelism: 2 } } };
  let asked: unknown;
  const prepared = await prepareJob(started, range, { ...deps([policy('a')]), planWindows: async (r, settings) => ((asked = settings), deps([]).planWindows(r, settings)) });
  assert.ok(prepared.ok);
  assert.deepEqual(prepared.plan.fixedSpec, { timeRange: range, policySelector: { names: ['a'] }, batchSize: 500, dryRun: true });
  assert.deepEqual(asked, { batchSize: 500, dryRun: true, rateLimit: 40, parallelism: 2 });
});

test('fails naming the sizes when the plan would not fit its ConfigMap', async () => {
  const windows = Array.from({ length: 10_000 }, (_, index) => ({ index, source: 'audit' as const, from: range.startTime, to: range.endTime, expectedEvents: 100 }));
  const prepared = await prepareJob(job(), range, { ...deps([policy('a')]), planWindows: async () => windows });
  assert.equal(prepared.ok, false);
  assert.equal(!prepared.ok && prepared.reason, 'PlanTooLarge');
  assert.match(!prepared.ok ? prepared.message : '', /window plan too large: 10000 windows .* need \d+ KiB, over the 900 KiB a plan ConfigMap may hold/);
});
