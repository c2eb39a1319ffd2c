// `kubectl apply -k knative/` must render: no kustomize binary here, so
// resolve `resources:` ourselves and check every file exists and parses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KNATIVE_DIR, readKustomization, renderKustomization } from './manifests-load.js';

test('every resource the kustomization lists exists and parses into objects', () => {
  const k = readKustomization(KNATIVE_DIR);
  assert.equal(k.namespace, 'activity-system');
  assert.ok(k.resources!.includes('crds/reindexjobs.yaml') && k.resources!.includes('crds/activitypolicies.yaml'));
  const rendered = renderKustomization(KNATIVE_DIR);
  for (const entry of k.resources!) {
    assert.ok(rendered.some(({ file }) => file === `knative/${entry}`), `${entry} yields at least one object`);
  }
  for (const { file, doc } of rendered) {
    assert.ok(doc.apiVersion && doc.kind && doc.metadata?.name, `${file}: apiVersion, kind and metadata.name`);
  }
});

test('the Secret example stays out of the kustomization', () => {
  const rendered = renderKustomization(KNATIVE_DIR);
  assert.ok(!rendered.some(({ doc }) => doc.kind === 'Secret'), 'credentials are created by the operator, not applied from git');
});

test('a missing resource or a YAML error is reported naming the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reindex-kustomize-'));
  writeFileSync(join(dir, 'kustomization.yaml'), 'resources:\n  - gone.yaml\n');
  assert.throws(() => renderKustomization(dir), /resource gone\.yaml does not exist/);
  mkdirSync(join(dir, 'bad'));
  writeFileSync(join(dir, 'bad', 'kustomization.yaml'), 'resources:\n  - broken.yaml\n');
  writeFileSync(join(dir, 'bad', 'broken.yaml'), 'kind: [unclosed\n');
  assert.throws(() => renderKustomization(join(dir, 'bad')), /broken\.yaml/);
});
