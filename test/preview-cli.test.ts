import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'reindex-preview-'));

function reindex(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(root, 'bin/reindex.js'), ...args], { cwd: root }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

interface Vector {
  name: string;
  policy: { metadata: { name: string }; spec: { resource: { apiGroup: string; kind: string } } };
  input_kind: string;
  input: Record<string, unknown>;
  discovery: Record<string, string>;
  expected: { rule: string; activity: unknown };
}
const vectors: Vector[] = JSON.parse(readFileSync(join(root, 'test/fixtures/activity-vectors.json'), 'utf8'));

test('preview prints one JSON line per input: the activity a re-index publishes, or why none', async () => {
  // Vectors with an apiVersion (so preview can tell audit from event input),
  // one per resource key: several policies for one key would compete.
  const keys = new Set<string>();
  const cases = vectors.filter((v) => {
    const key = `${v.input_kind}/${v.policy.spec.resource.apiGroup}/${v.policy.spec.resource.kind}`;
    if (typeof v.input.apiVersion !== 'string' || keys.has(key)) return false;
    keys.add(key);
    return true;
  });
  assert.ok(cases.length >= 12, `only ${cases.length} cases`);
  const policies = [...new Map(cases.map((v) => [v.policy.metadata.name, v.policy])).values()];
  writeFileSync(join(dir, 'policies.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: policies }));
  writeFileSync(join(dir, 'discovery.json'), JSON.stringify(Object.assign({}, ...cases.map((v) => v.discovery))));
  const extra = [
    { apiVersion: 'audit.k8s.io/v1', kind: 'Event', auditID: 'no-ref', verb: 'get', requestReceivedTimestamp: '2024-01-01T00:00:00Z' },
    { ...cases.find((v) => v.input.apiVersion === 'audit.k8s.io/v1')!.input, verb: 'watch' },
    { apiVersion: 'apps/v1', kind: 'Deployment' },
  ];
  writeFileSync(join(dir, 'inputs.jsonl'), [...cases.map((v) => v.input), ...extra].map((i) => JSON.stringify(i)).join('\n'));

  const { code, stdout, stderr } = await reindex('preview', '--policy', join(dir, 'policies.json'), '--input', join(dir, 'inputs.jsonl'), '--discovery', join(dir, 'discovery.json'));
  assert.equal(code, 0, stderr);
  const lines = stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, cases.length + extra.length);
  for (const [i, v] of cases.entries()) {
    assert.deepEqual(lines[i], { outcome: 'activity', policy: v.policy.metadata.name, rule: v.expected.rule, activity: v.expected.activity }, v.name);
  }
  const [noRef, noMatch, unknown] = lines.slice(cases.length);
  assert.deepEqual(Object.keys(noRef), ['outcome', 'reason']);
  assert.equal(noRef.outcome, 'skipped');
  assert.deepEqual(noMatch, { outcome: 'no-match' });
  assert.equal(unknown.outcome, 'error');
  assert.deepEqual(Object.keys(unknown), ['outcome', 'error']);
});

test('preview reads YAML policy directories and a single JSON object input', async () => {
  const input = vectors.find((v) => v.name === 'example-core-pods-create-missing-objectref-name')!.input;
  writeFileSync(join(dir, 'one.json'), JSON.stringify(input));
  const { code, stdout } = await reindex('preview', '--policy', join(root, 'test/fixtures/policies'), '--input', join(dir, 'one.json'));
  assert.equal(code, 0);
  const line = JSON.parse(stdout);
  assert.equal(line.policy, 'core-pods');
  assert.equal(line.activity.metadata.labels['activity.miloapis.com/policy-name'], 'core-pods');
});

test('a policy that does not compile exits 1 with one line naming policy, rule and expression', async () => {
  writeFileSync(join(dir, 'bad.yaml'), 'kind: ActivityPolicy\nmetadata: {name: broken}\nspec:\n  resource: {apiGroup: "", kind: Pod}\n  auditRules:\n    - {name: r1, match: "audit.verb ==", summary: x}\n');
  writeFileSync(join(dir, 'empty.json'), '[]');
  const { code, stdout, stderr } = await reindex('preview', '--policy', join(dir, 'bad.yaml'), '--input', join(dir, 'empty.json'));
  assert.equal(code, 1);
  assert.equal(stdout, '');
  assert.equal(stderr.trim().split('\n').length, 1);
  assert.match(stderr, /broken.*r1.*audit\.verb ==/);
});

test('bad usage exits 2', async () => {
  writeFileSync(join(dir, 'empty.json'), '[]');
  assert.equal((await reindex('preview', '--input', join(dir, 'empty.json'))).code, 2);
  assert.equal((await reindex('preview', '--policy', join(root, 'test/fixtures/policies'))).code, 2);
  assert.equal((await reindex('preview', '--policy', join(dir, 'absent.yaml'), '--input', join(dir, 'empty.json'))).code, 2);
});
