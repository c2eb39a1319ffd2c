// The front door as an operator uses it: `reindex up` in its own process and
// the REAL kubectl against the kubeconfig it writes (test/helpers/reindex-up.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SPEC, manifest, ok, useReindexUp } from './helpers/reindex-up.js';

const WAIT = process.env.KUBECTL_TEST_WAIT ?? '180s';
const handle = useReindexUp();
const up = () => handle.current!;

test('reindex up --json prints exactly one object with the kubeconfig, the API server and the status page', async () => {
  assert.deepEqual(Object.keys(up().ready).sort(), ['kubeconfig', 'server', 'statusPage']);
  assert.equal(up().ready.kubeconfig, join(up().dir, 'data', 'kubeconfig'));
  assert.match(up().ready.server, /^http:\/\/127\.0\.0\.1:\d+$/);
  const page = await fetch(up().ready.statusPage);
  assert.equal(page.status, 200);
  assert.match(await ok(up().kubectl('config', 'view', '-o', 'jsonpath={.clusters[0].cluster.server}')), new RegExp(`^${up().ready.server}$`));
});

test('kubectl apply validates against the served schemas, the job runs, and get, wait, describe and events show it', async () => {
  assert.equal((await ok(up().kubectlIn(manifest('t1', SPEC), 'apply', '-f', '-'))).trim(), 'reindexjob.activity.miloapis.com/t1 created');
  await ok(up().kubectl('wait', '--for=jsonpath={.status.phase}=Succeeded', 'reindexjob/t1', `--timeout=${WAIT}`));
  await ok(up().kubectl('wait', '--for=condition=Ready', 'rij/t1', '--timeout=30s'));
  const table = (await ok(up().kubectl('get', 'reindexjobs'))).split('\n');
  assert.match(table[0]!, /^NAME\s+PHASE\s+PROGRESS\s+TIME RANGE\s+AGE$/);
  assert.match(table.find((l) => l.startsWith('t1 '))!, /^t1\s+Succeeded\s+100\s+\S+Z\/\S+Z\s+\d+s$/);
  const described = await ok(up().kubectl('describe', 'reindexjob', 't1'));
  assert.match(described, /Events:\n\s+Type\s+Reason\s+Age\s+From\s+Message/);
  assert.match(described, /Normal\s+Completed\s+.*Processed \d+ events into \d+ activities/);
  const events = await ok(up().kubectl('get', 'events', '-A', '--field-selector', 'involvedObject.name=t1'));
  assert.match(events, /reindexjob\/t1\s+Processed \d+ events/i);
  assert.match(await ok(up().kubectl('get', 'activity')), /reindexjob\.activity\.miloapis\.com\/t1\s+Succeeded/);
});

test('apply --dry-run=server validates and stores nothing', async () => {
  assert.match(await ok(up().kubectlIn(manifest('dry', SPEC), 'apply', '--dry-run=server', '-f', '-')), /reindexjob\.activity\.miloapis\.com\/dry created \(server dry run\)/);
  const got = await up().kubectl('get', 'rij', 'dry');
  assert.equal(got.code, 1);
  assert.match(got.stderr, /reindexjobs\.activity\.miloapis\.com "dry" not found/);
});

test('an invalid spec is refused with the real server messages, and nothing is stored', async () => {
  const bad = await up().kubectlIn(manifest('bad', '  timeRange:\n    startTime: now-1h\n  config:\n    batchSize: 50\n'), 'apply', '-f', '-');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /The ReindexJob "bad" is invalid: spec\.config\.batchSize: Invalid value: 50: spec\.config\.batchSize in body should be greater than or equal to 100/);
  const cel = await up().kubectlIn(manifest('bad', '  timeRange:\n    startTime: "2026-05-02T00:00:00Z"\n    endTime: "2026-05-01T00:00:00Z"\n'), 'apply', '-f', '-');
  assert.match(cel.stderr, /spec\.timeRange: Invalid value: "object": timeRange\.startTime must be before timeRange\.endTime/);
  const unknown = await up().kubectlIn(manifest('bad', `${SPEC}  bogus: 1\n`), 'apply', '-f', '-');
  assert.match(unknown.stderr, /strict decoding error: unknown field "spec\.bogus"/);
  assert.equal((await up().kubectl('get', 'rij', 'bad')).code, 1);
});

test('kubectl explain describes the spec from the served OpenAPI', async () => {
  const explained = await ok(up().kubectl('explain', 'reindexjob.spec.config'));
  assert.match(explained, /KIND:\s+ReindexJob/);
  assert.match(explained, /FIELD: config <Object>/);
  assert.match(explained, /parallelism\s+<integer>\n\s+Windows in flight at once\./);
});

test('suspend and resume by patch: the conditions follow the generation and the job finishes', async () => {
  await ok(up().kubectlIn(manifest('s1', `${SPEC}  suspend: true\n`), 'apply', '-f', '-'));
  await ok(up().kubectl('wait', '--for=condition=Ready=False', 'rij/s1', '--timeout=60s'));
  await ok(up().kubectl('wait', '--for=jsonpath={.status.phase}=Suspended', 'rij/s1', '--timeout=60s'));
  assert.match(await ok(up().kubectl('get', 'rij', 's1', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].message}')), /^suspend took effect at \S+ \(generation 1\)/);
  await ok(up().kubectl('patch', 'rij', 's1', '--type=merge', '-p', '{"spec":{"config":{"parallelism":2}}}'));
  // kubectl wait compares a condition's observedGeneration with the object's generation.
  await ok(up().kubectl('wait', '--for=condition=Ready=False', 'rij/s1', '--timeout=60s'));
  assert.equal(await ok(up().kubectl('get', 'rij', 's1', '-o', 'jsonpath={.metadata.generation} {.status.conditions[*].observedGeneration}')), '2 2');
  assert.match(await ok(up().kubectl('patch', 'rij', 's1', '--type=merge', '-p', '{"spec":{"suspend":false}}')), /reindexjob\.activity\.miloapis\.com\/s1 patched/);
  await ok(up().kubectl('wait', '--for=jsonpath={.status.phase}=Succeeded', 'rij/s1', `--timeout=${WAIT}`));
});

test('apply --server-side records the manager, refuses a conflicting change unless forced, and delete removes the job', async () => {
  const doc = manifest('ssa', `${SPEC}  ttlSecondsAfterFinished: 3600\n`);
  assert.match(await ok(up().kubectlIn(doc, 'apply', '--server-side', '-f', '-')), /reindexjob\.activity\.miloapis\.com\/ssa serverside-applied/);
  const managers = JSON.parse(await ok(up().kubectl('get', 'rij', 'ssa', '-o', 'json', '--show-managed-fields'))).metadata.managedFields.map((m: any) => [m.manager, m.operation]);
  assert.deepEqual(managers, [['kubectl', 'Apply']]);
  await ok(up().kubectl('patch', 'rij', 'ssa', '--type=merge', '-p', '{"spec":{"ttlSecondsAfterFinished":60}}'));
  const conflict = await up().kubectlIn(doc, 'apply', '--server-side', '-f', '-');
  assert.equal(conflict.code, 1);
  assert.match(conflict.stderr, /Apply failed with 1 conflict: conflict with "kubectl-patch" using activity\.miloapis\.com\/v1alpha1: \.spec\.ttlSecondsAfterFinished/);
  await ok(up().kubectlIn(doc, 'apply', '--server-side', '--force-conflicts', '-f', '-'));
  assert.equal(await ok(up().kubectl('get', 'rij', 'ssa', '-o', 'jsonpath={.spec.ttlSecondsAfterFinished}')), '3600');
  assert.match(await ok(up().kubectl('delete', 'rij', 'ssa')), /reindexjob\.activity\.miloapis\.com "ssa" deleted/);
  assert.equal((await up().kubectl('get', 'rij', 'ssa')).code, 1);
});

