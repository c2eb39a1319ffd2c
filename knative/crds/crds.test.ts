import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadProjectCrds } from '../../local/kube-api-server/load-project-crds.js';
import { compileSchema } from '../../local/kube-api-server/crd-schema.js';

const crds = (await loadProjectCrds()) as any[];
const byName = (name: string) => crds.find((c) => c.metadata.name === name);
const reindexJobs = byName('reindexjobs.activity.miloapis.com');
const schemaOf = (crd: any) => crd.spec.versions[0].schema.openAPIV3Schema;

// Nodes allowed to keep unknown fields, and why: ActivityPolicy status belongs to the Activity system.
const PRESERVE_UNKNOWN = new Set(['activitypolicies.activity.miloapis.com:.status']);

/** Structural-schema violations (apiextensions.k8s.io/v1 rules that matter here), as "<path>: <problem>". */
function structuralProblems(crdName: string, node: any, path: string, out: string[]): string[] {
  if (node['x-kubernetes-preserve-unknown-fields'] && !PRESERVE_UNKNOWN.has(`${crdName}:${path}`)) out.push(`${path}: x-kubernetes-preserve-unknown-fields where it is not needed`);
  if (node['x-kubernetes-int-or-string']) {
    if (node.type) out.push(`${path}: int-or-string must not have a type`);
    const branches = (node.anyOf ?? []).map((b: any) => b.type).join(',');
    if (node.anyOf && branches !== 'integer,string') out.push(`${path}: int-or-string anyOf must be [integer, string]`);
  } else if (!node.type) out.push(`${path}: no type`);
  if (node.type === 'object' && node.properties && node.additionalProperties) out.push(`${path}: properties and additionalProperties together`);
  for (const [key, sub] of Object.entries<any>(node.properties ?? {})) structuralProblems(crdName, sub, `${path}.${key}`, out);
  if (node.items) structuralProblems(crdName, node.items, `${path}[]`, out);
  if (node.additionalProperties && typeof node.additionalProperties === 'object') structuralProblems(crdName, node.additionalProperties, `${path}{}`, out);
  return out;
}

test('serves both CRDs in activity.miloapis.com/v1alpha1, cluster-scoped, with a status subresource', () => {
  assert.deepEqual(crds.map((c) => c.metadata.name).sort(), ['activitypolicies.activity.miloapis.com', 'reindexjobs.activity.miloapis.com']);
  for (const crd of crds) {
    assert.equal(crd.apiVersion, 'apiextensions.k8s.io/v1');
    assert.equal(crd.spec.scope, 'Cluster');
    assert.deepEqual(crd.spec.versions.map((v: any) => [v.name, v.served, v.storage]), [['v1alpha1', true, true]]);
    assert.deepEqual(crd.spec.versions[0].subresources.status, {});
    assert.equal(crd.metadata.name, `${crd.spec.names.plural}.${crd.spec.group}`);
  }
});

test('has structural schemas: every node typed, unknown fields kept only where needed', () => {
  for (const crd of crds) assert.deepEqual(structuralProblems(crd.metadata.name, schemaOf(crd), '', []), [], crd.metadata.name);
  assert.deepEqual(schemaOf(reindexJobs).properties.metadata, { type: 'object' });
});

test('prints PHASE, PROGRESS, TIME RANGE and AGE for ReindexJobs', () => {
  const columns = reindexJobs.spec.versions[0].additionalPrinterColumns.map((c: any) => [c.name.toUpperCase(), c.jsonPath]);
  assert.deepEqual(columns, [
    ['PHASE', '.status.phase'],
    ['PROGRESS', '.status.progress.percent'],
    ['TIME RANGE', '.status.timeRange'],
    ['AGE', '.metadata.creationTimestamp'],
  ]);
});

const check = compileSchema(schemaOf(reindexJobs));
const validate = (spec: object) => {
  const obj: any = { apiVersion: 'activity.miloapis.com/v1alpha1', kind: 'ReindexJob', metadata: { name: 'j' }, spec };
  return { causes: check(obj).map((c) => c.field), obj };
};

test('accepts good ReindexJobs and fills in the defaults of DESIGN.md §4.1', () => {
  const minimal = validate({ timeRange: { startTime: 'now-2h' } });
  assert.deepEqual(minimal.causes, []);
  assert.deepEqual(minimal.obj.spec.config, { batchSize: 1000, rateLimit: 100, dryRun: false, parallelism: 4 });
  assert.equal(minimal.obj.spec.suspend, false);
  const full = validate({
    timeRange: { startTime: '2026-05-01T00:00:00Z', endTime: '2026-05-02T00:00:00.000+02:00' },
    policySelector: { matchLabels: { team: 'a' } },
    config: { batchSize: 100, rateLimit: 1000000, dryRun: true, parallelism: 256, maxErrors: '0.5%' },
    ttlSecondsAfterFinished: 0,
    suspend: true,
  });
  assert.deepEqual(full.causes, []);
  for (const spec of [{ timeRange: { startTime: 'now-1w', endTime: 'now' }, policySelector: { names: ['a'] }, config: { maxErrors: 10 } }, { timeRange: { startTime: 'now-90s' }, config: { maxErrors: '25' } }]) {
    assert.deepEqual(validate(spec).causes, [], JSON.stringify(spec));
  }
});

test('rejects bad ReindexJobs naming the field', () => {
  const cases: [object, string][] = [
    [{}, 'spec.timeRange'],
    [{ timeRange: {} }, 'spec.timeRange.startTime'],
    [{ timeRange: { startTime: 'yesterday' } }, 'spec.timeRange.startTime'],
    [{ timeRange: { startTime: 'now-5y' } }, 'spec.timeRange.startTime'],
    [{ timeRange: { startTime: '2026-05-02T00:00:00Z', endTime: '2026-05-01T00:00:00Z' } }, 'spec.timeRange'],
    [{ timeRange: { startTime: 'now-1h' }, policySelector: { names: ['a'], matchLabels: { b: 'c' } } }, 'spec.policySelector'],
    [{ timeRange: { startTime: 'now-1h' }, config: { batchSize: 99 } }, 'spec.config.batchSize'],
    [{ timeRange: { startTime: 'now-1h' }, config: { batchSize: 10001 } }, 'spec.config.batchSize'],
    [{ timeRange: { startTime: 'now-1h' }, config: { rateLimit: 9 } }, 'spec.config.rateLimit'],
    [{ timeRange: { startTime: 'now-1h' }, config: { parallelism: 0 } }, 'spec.config.parallelism'],
    [{ timeRange: { startTime: 'now-1h' }, config: { parallelism: 257 } }, 'spec.config.parallelism'],
    [{ timeRange: { startTime: 'now-1h' }, config: { maxErrors: 'lots' } }, 'spec.config.maxErrors'],
    [{ timeRange: { startTime: 'now-1h' }, config: { maxErrors: -1 } }, 'spec.config.maxErrors'],
    [{ timeRange: { startTime: 'now-1h' }, config: { dryRun: 'yes' } }, 'spec.config.dryRun'],
    [{ timeRange: { startTime: 'now-1h' }, ttlSecondsAfterFinished: -1 }, 'spec.ttlSecondsAfterFinished'],
  ];
  for (const [spec, field] of cases) assert.deepEqual([...new Set(validate(spec).causes)], [field], JSON.stringify(spec));
});

test('accepts ActivityPolicies shaped like shared/api/activity-policy.ts and rejects rules without a match', () => {
  const policyCheck = compileSchema(schemaOf(byName('activitypolicies.activity.miloapis.com')));
  const policy = (rule: object) => ({ metadata: { name: 'p' }, spec: { resource: { apiGroup: 'apps', kind: 'Deployment' }, auditRules: [rule], eventRules: [] } });
  assert.deepEqual(policyCheck(policy({ name: 'scale', match: 'audit.verb == "patch"', summary: '{{ actor }} scaled it' })), []);
  assert.deepEqual(policyCheck(policy({ name: 'scale', summary: 'x' })).map((c) => c.field), ['spec.auditRules[0].match']);
});
