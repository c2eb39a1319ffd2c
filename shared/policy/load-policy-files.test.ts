import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPolicyFiles } from './load-policy-files.js';

const fixtures = new URL('../../test/fixtures/policies/', import.meta.url).pathname;

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'reindex-policy-files-'));
}

const POLICY = { apiVersion: 'activity.miloapis.com/v1alpha1', kind: 'ActivityPolicy', spec: { resource: { apiGroup: '', kind: 'Pod' }, auditRules: [{ name: 'r', match: 'true', summary: 's' }] } };

test('a directory yields the policies of its YAML and JSON files, files in sorted order', async () => {
  const policies = await loadPolicyFiles([fixtures]);
  assert.deepEqual(policies.map((p) => p.metadata.name), ['apps-deployments', 'apps-replicasets', 'core-configmaps', 'core-pods']);
});

test('multi-document YAML, JSON and List files are all read', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'list.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ ...POLICY, metadata: { name: 'from-list' } }] }));
  writeFileSync(join(dir, 'one.yml'), `---\n${JSON.stringify({ ...POLICY, metadata: { name: 'from-yml' } })}\n---\n`);
  writeFileSync(join(dir, 'notes.txt'), 'ignored');
  const policies = await loadPolicyFiles([join(dir, 'one.yml'), dir]);
  assert.deepEqual(policies.map((p) => p.metadata.name), ['from-yml', 'from-list', 'from-yml']);
});

test('errors name the file: bad YAML, the wrong kind, a missing field, a missing path', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'broken.yaml'), 'kind: [unclosed');
  await assert.rejects(loadPolicyFiles([join(dir, 'broken.yaml')]), /broken\.yaml/);
  writeFileSync(join(dir, 'kind.yaml'), 'kind: ConfigMap\nmetadata: {name: x}\n');
  await assert.rejects(loadPolicyFiles([join(dir, 'kind.yaml')]), /kind\.yaml: kind is "ConfigMap"/);
  writeFileSync(join(dir, 'field.yaml'), 'kind: ActivityPolicy\nmetadata: {name: x}\nspec: {}\n');
  await assert.rejects(loadPolicyFiles([join(dir, 'field.yaml')]), /field\.yaml: invalid ActivityPolicy: spec\.resource/);
  mkdirSync(join(dir, 'empty'));
  assert.deepEqual(await loadPolicyFiles([join(dir, 'empty')]), []);
  await assert.rejects(loadPolicyFiles([join(dir, 'absent.yaml')]), /absent\.yaml/);
});
