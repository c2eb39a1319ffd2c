// `kubectl apply -k knative/` must render: resolve `resources:` ourselves and
// check every file exists and parses; where kubectl is installed, render with
// its kustomize too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { KNATIVE_DIR, readKustomization, renderKustomization } from './manifests-load.js';

const ACTIVITYPOLICY_CRD = join(KNATIVE_DIR, 'components/activitypolicy-crd');
const kubectl = process.env.KUBECTL ?? 'kubectl';
const kubectlMissing = spawnSync(kubectl, ['version', '--client'], { stdio: 'ignore' }).status !== 0;

/** The objects real `kubectl kustomize <dir>` renders, as kind/name. */
function kustomize(dir: string): string[] {
  const out = execFileSync(kubectl, ['kustomize', dir], { encoding: 'utf8' });
  return parseAllDocuments(out).map((d) => d.toJS()).filter(Boolean).map((o: any) => `${o.kind}/${o.metadata.name}`);
}

test('every resource the kustomization lists exists and parses into objects', () => {
  const k = readKustomization(KNATIVE_DIR);
  assert.equal(k.namespace, 'activity-system');
  assert.ok(k.resources!.includes('crds/reindexjobs.yaml'));
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

test('the default kustomization never carries the ActivityPolicy CRD; the opt-in component does', () => {
  const crds = renderKustomization(KNATIVE_DIR).filter(({ doc }) => doc.kind === 'CustomResourceDefinition').map(({ doc }) => doc.metadata.name);
  assert.deepEqual(crds, ['reindexjobs.activity.miloapis.com']);
  const component = renderKustomization(ACTIVITYPOLICY_CRD).map(({ doc }) => `${doc.kind}/${doc.metadata.name}`);
  assert.deepEqual(component, ['CustomResourceDefinition/activitypolicies.activity.miloapis.com']);
});

test('kubectl kustomize: knative/ renders no ActivityPolicy CRD; an overlay with the component adds only it', { skip: kubectlMissing && `${kubectl} not found` }, () => {
  const base = kustomize(KNATIVE_DIR);
  assert.ok(base.includes('CustomResourceDefinition/reindexjobs.activity.miloapis.com'));
  assert.ok(!base.some((o) => o.includes('activitypolicies')), 'kubectl apply -k knative/ never replaces the ActivityPolicy CRD');
  const overlay = mkdtempSync(join(tmpdir(), 'reindex-overlay-'));
  writeFileSync(
    join(overlay, 'kustomization.yaml'),
    `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ${relative(overlay, KNATIVE_DIR)}\ncomponents:\n  - ${relative(overlay, ACTIVITYPOLICY_CRD)}\n`,
  );
  const withCrd = kustomize(overlay);
  assert.deepEqual(withCrd.filter((o) => !base.includes(o)), ['CustomResourceDefinition/activitypolicies.activity.miloapis.com']);
});
