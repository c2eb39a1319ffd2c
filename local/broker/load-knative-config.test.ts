import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadKnativeEventing } from './load-knative-config.js';

const fixtures = fileURLToPath(new URL('./fixtures', import.meta.url));

test('loads the Broker and Triggers from every YAML file beneath a directory and skips other kinds', async () => {
  const { brokers, triggers } = await loadKnativeEventing(fixtures);
  assert.deepEqual(brokers.map((b) => b.metadata.name), ['activity-reindex']);
  assert.deepEqual(triggers.map((t) => t.metadata.name), ['reindex-window-requested', 'reindex-window-results']);
  assert.equal(brokers[0].spec?.delivery?.backoffDelay, 'PT0.2S');
  assert.equal(brokers[0].spec?.delivery?.deadLetterSink?.ref?.name, 'reindex-aggregator');
  assert.deepEqual(triggers[1].spec.filters?.[0].any?.map((f) => f.exact?.type), [
    'com.miloapis.activity.reindex.window.completed',
    'com.miloapis.activity.reindex.window.failed',
  ]);
});

test('objects without a namespace take the kustomization namespace above them', async () => {
  const { brokers, triggers } = await loadKnativeEventing(fixtures);
  assert.deepEqual([...brokers, ...triggers].map((o) => o.metadata.namespace), ['activity-system', 'activity-system', 'activity-system']);
});

test('nested folders and multi-document files are read; an explicit namespace is kept; the default applies elsewhere', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'reindex-broker-load-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'a', 'b'), { recursive: true });
  writeFileSync(
    join(dir, 'a', 'b', 'eventing.yml'),
    [
      'apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata: {name: one, namespace: team}',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: unrelated}',
      'apiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata: {name: t1}\nspec:\n  broker: one\n  subscriber: {uri: "http://127.0.0.1:9/"}',
      '',
    ].join('\n---\n'),
  );
  const { brokers, triggers } = await loadKnativeEventing(dir, { defaultNamespace: 'local' });
  assert.equal(brokers[0].metadata.namespace, 'team');
  assert.equal(triggers[0].metadata.namespace, 'local');
});

test('an invalid Trigger fails the load, naming the file, the object and the field', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'reindex-broker-load-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, 'triggers.yaml'),
    'apiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata: {name: bad}\nspec:\n  broker: b\n  subscriber: {uri: "http://x"}\n  delivery: {backoffPolicy: expo}\n',
  );
  await assert.rejects(loadKnativeEventing(dir), /triggers\.yaml: invalid Trigger "bad": spec\.delivery\.backoffPolicy/);
});
