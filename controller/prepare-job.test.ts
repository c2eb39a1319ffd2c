import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ActivityPolicy } from '../shared/api/activity-policy.js';
import type { ReindexJob } from '../shared/api/reindex-job.js';
import { SourceLayoutError } from '../shared/clickhouse/source-layout.js';
import { compilePolicies } from '../shared/policy/policy-engine.js';
import { prepareJob, type PrepareDeps } from './prepare-job.js';
import { planWindows } from '../shared/contracts/job-plan.js';

const range = { startTime: '2026-01-01T00:00:00.000Z', endTime: '2026-01-01T01:00:00.000Z' };
const job = (selector?: ReindexJob['spec']['policySelector']): ReindexJob => ({
  apiVersion: 'activity.miloapis.com/v1alpha1',
  kind: 'ReindexJob',
  metadata: { name: 'j', uid: 'uid-j', generation: 1 },
  spec: { timeRange: range, policySelector: selector },
});
const readiness = (status: 'True' | 'False', reason = 'Compiled', message = '') => ({
  conditions: [{ type: 'Ready', status, reason, message, lastTransitionTime: '2026-01-01T00:00:00Z' }],
});
const policy = (name: string, match = "audit.verb == 'update'", labels?: Record<string, string>): ActivityPolicy => ({
  apiVersion: 'activity.miloapis.com/v1alpha1',
  kind: 'ActivityPolicy',
  metadata: { name, resourceVersion: '7', labels },
  spec: { resource: { apiGroup: 'apps', kind: 'Deployment' }, auditRules: [{ name: 'updated', match, summary: 'updated' }] },
  status: readiness('True'),
});
const notReady = (name: string, labels?: Record<string, string>): ActivityPolicy => ({
  ...policy(name, undefined, labels),
  status: readiness('False', 'InvalidResource', 'kind Widget not found'),
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
  assert.equal(planWindows(prepared.plan).totalEvents, 5);
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

/** `count` audit windows tiling the range evenly, 10,000 events each. */
const tiling = (count: number) => {
  const start = Date.parse(range.startTime);
  const step = (Date.parse(range.endTime) - start) / count;
  const at = (i: number) => new Date(i === count ? Date.parse(range.endTime) : start + Math.floor(i * step)).toISOString();
  return Array.from({ length: count }, (_, index) => ({ index, source: 'audit' as const, from: at(index), to: at(index + 1), expectedEvents: 10_000 }));
};

test('stores 10,000 windows in a plan far under a ConfigMap, each derived back exactly', async () => {
  const windows = tiling(10_000);
  const prepared = await prepareJob(job(), range, { ...deps([policy('a')]), planWindows: async () => windows });
  assert.ok(prepared.ok);
  const bytes = Buffer.byteLength(JSON.stringify(prepared.plan));
  assert.ok(bytes < 256 * 1024, `${bytes} bytes`);
  const derived = planWindows(prepared.plan);
  assert.equal(derived.length, 10_000);
  assert.deepEqual(derived.at(7_777), windows[7_777]);
  assert.deepEqual(derived.all(), windows);
});

test('fails naming the sizes when the plan would not fit its ConfigMap', async () => {
  const many = Array.from({ length: 40 }, (_, i) => ({ ...policy(`p${i}`), spec: { ...policy('x').spec, auditRules: [{ name: 'r', match: 'true', summary: 'x'.repeat(3000) }] } }));
  const prepared = await prepareJob(job(), range, { ...deps(many), planWindows: async () => tiling(150_000) });
  assert.equal(prepared.ok, false);
  assert.equal(!prepared.ok && prepared.reason, 'PlanTooLarge');
  assert.match(!prepared.ok ? prepared.message : '', /window plan too large: 150000 windows .* need \d+ KiB, over the 900 KiB a plan ConfigMap may hold/);
});

test('window events and the plan carry only the discovery entries the policies can use', async () => {
  const table = { 'apps/deployments': 'Deployment', 'apps/widgets': 'Widget', 'batch/jobs': 'Job', 'example.com/gizmos': 'Gizmo', 'other.io/things': 'Thing', '/pods': 'Pod' };
  const quoting = { ...policy('q'), spec: { ...policy('q').spec, auditRules: [{ name: 'r', match: "audit.objectRef.resource == 'gizmos'", summary: 's' }] } };
  const prepared = await prepareJob(job(), range, { ...deps([policy('a'), quoting]), discoveryTable: async () => table });
  assert.ok(prepared.ok);
  // apps: the policies' group; gizmos: quoted by a rule; Pod and Deployment: the built-in table says the same.
  assert.deepEqual(prepared.plan.discovery, { 'apps/widgets': 'Widget', 'example.com/gizmos': 'Gizmo' });
});

test('uses only Ready policies and names the ones left out, with why', async () => {
  const unconditioned = { ...policy('b'), status: undefined };
  const prepared = await prepareJob(job(), range, deps([policy('a'), unconditioned, notReady('c'), policy('d')]));
  assert.ok(prepared.ok);
  assert.deepEqual(prepared.plan.policies.map((p) => p.metadata.name), ['a', 'd']);
  assert.deepEqual(prepared.plan.skippedPolicies, [
    { name: 'b', resourceVersion: '7', skipped: 'not Ready: no Ready condition (the Activity controller has not accepted it)' },
    { name: 'c', resourceVersion: '7', skipped: 'not Ready: Ready=False (InvalidResource): kind Widget not found' },
  ]);
});

test('a named policy that is not Ready is left out, not used', async () => {
  const prepared = await prepareJob(job({ names: ['a', 'c'] }), range, deps([policy('a'), notReady('c')]));
  assert.ok(prepared.ok);
  assert.deepEqual(prepared.plan.policies.map((p) => p.metadata.name), ['a']);
  assert.deepEqual(prepared.plan.skippedPolicies?.map((p) => p.name), ['c']);
});

test('fails at once when the selector matches no Ready policy, naming those left out', async () => {
  const none = await prepareJob(job({ matchLabels: { team: 'nobody' } }), range, deps([policy('a', undefined, { team: 'x' })]));
  assert.equal(none.ok, false);
  assert.equal(!none.ok && none.reason, 'NoReadyPolicy');
  assert.equal(!none.ok && none.message, 'policySelector matched no Ready ActivityPolicy');
  const onlyBroken = await prepareJob(job({ matchLabels: { team: 'x' } }), range, deps([notReady('c', { team: 'x' }), policy('a')]));
  assert.equal(onlyBroken.ok, false);
  assert.match(!onlyBroken.ok ? onlyBroken.message : '', /^policySelector matched no Ready ActivityPolicy \(left out: c: not Ready: Ready=False/);
  assert.deepEqual(!onlyBroken.ok && onlyBroken.policies?.map((p) => p.name), ['c']);
  const empty = await prepareJob(job(), range, deps([]));
  assert.equal(!empty.ok && empty.reason, 'NoReadyPolicy');
});

test('fails at once, naming table and column, when a source table cannot be read', async () => {
  const unusable = async () => {
    throw new SourceLayoutError('audit.k8s_events has no time column last_timestamp or timestamp');
  };
  const prepared = await prepareJob(job(), range, { ...deps([policy('a')]), planWindows: unusable });
  assert.deepEqual(prepared, { ok: false, reason: 'SourceTableUnusable', message: 'audit.k8s_events has no time column last_timestamp or timestamp' });
});
