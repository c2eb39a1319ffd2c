// The NetworkPolicy and the EventPolicy of knative/ select what they are
// meant to: the pods of the two Knative Services (and no other workload),
// the Broker the code sends to, and as senders the controller's
// ServiceAccount and the Trigger whose subscriber replies with results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSelector } from '../local/kube-api-server/label-selector.js';
import { WINDOW_REQUESTED } from '../shared/contracts/cloud-event-types.js';
import { EventPolicy } from './manifests-event-policy.js';
import { find, readKustomization, KNATIVE_DIR, renderKnative } from './manifests-load.js';

const all = renderKnative();
const namespace = readKustomization(KNATIVE_DIR).namespace!;
const ofKind = (kind: string) => all.filter(({ doc }) => doc.kind === kind).map(({ doc }) => doc as any);

type LabelSelector = { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };

/** A metav1.LabelSelector as the string form the API stand-in's matcher reads. */
function selectorString(s: LabelSelector): string {
  const terms = Object.entries(s.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of s.matchExpressions ?? []) {
    if (e.operator === 'In') terms.push(`${e.key} in (${e.values!.join(',')})`);
    else if (e.operator === 'NotIn') terms.push(`${e.key} notin (${e.values!.join(',')})`);
    else if (e.operator === 'Exists') terms.push(e.key);
    else terms.push(`!${e.key}`);
  }
  return terms.join(',');
}

/** Every workload's pod labels: Knative Services' revision templates and Deployments' pod templates. */
function podLabels(): Map<string, Record<string, string>> {
  const pods = new Map<string, Record<string, string>>();
  for (const w of [...ofKind('Deployment'), ...ofKind('Service').filter((s) => s.apiVersion === 'serving.knative.dev/v1')]) {
    pods.set(w.metadata.name, w.spec.template.metadata.labels);
  }
  return pods;
}

test('the NetworkPolicy selects the window function and aggregator pods and no other workload', () => {
  const [policy, ...more] = ofKind('NetworkPolicy');
  assert.ok(policy, 'knative/ ships a NetworkPolicy');
  assert.equal(more.length, 0);
  assert.equal(policy.metadata.namespace, namespace);
  const matches = parseSelector(selectorString(policy.spec.podSelector));
  const selected = [...podLabels()].filter(([, labels]) => matches(labels)).map(([name]) => name).sort();
  assert.deepEqual(selected, ['reindex-aggregator', 'reindex-window']);
  assert.ok(podLabels().size >= 4, 'the controller and the status page are workloads it leaves alone');
});

test('the NetworkPolicy admits only Knative data-plane namespaces, none of the reindex workloads or the whole cluster', () => {
  const policy = ofKind('NetworkPolicy')[0];
  assert.deepEqual(policy.spec.policyTypes, ['Ingress']);
  const peers = policy.spec.ingress.flatMap((rule: { from?: unknown[] }) => {
    assert.ok(rule.from && rule.from.length > 0, 'a rule without `from` would admit every source');
    return rule.from;
  });
  const namespaces = peers.map((p: { namespaceSelector?: LabelSelector }) => {
    assert.ok(p.namespaceSelector?.matchLabels, 'every peer names its namespace (a bare podSelector means this namespace)');
    return p.namespaceSelector.matchLabels['kubernetes.io/metadata.name'];
  });
  assert.ok(!namespaces.includes(namespace), `no peer in ${namespace}: the controller and status page do not call the functions`);
  assert.deepEqual([...new Set(namespaces)].sort(), ['knative-eventing', 'knative-serving', 'kourier-system']);
  const filter = peers.find((p: any) => p.namespaceSelector.matchLabels['kubernetes.io/metadata.name'] === 'knative-eventing');
  assert.deepEqual(filter.podSelector, { matchLabels: { 'eventing.knative.dev/brokerRole': 'filter' } }, 'only the Broker filter from knative-eventing');
});

test('the EventPolicy guards the Broker the code sends to, admitting the controller and the Trigger whose subscriber replies', () => {
  const [policy, ...more] = ofKind('EventPolicy');
  assert.ok(policy, 'knative/ ships an EventPolicy');
  assert.equal(more.length, 0);
  new EventPolicy(policy).validate();
  assert.throws(() => new EventPolicy({ ...policy, spec: { ...policy.spec, from: [{ sub: 42 }] } }).validate(), /EventPolicy: \/spec\/from\/0\/sub must be string/);

  const [to] = policy.spec.to;
  assert.equal(policy.spec.to.length, 1);
  assert.equal(to.ref.kind, 'Broker');
  assert.ok(find(all, 'Broker', to.ref.name), `Broker ${to.ref.name} is in the kustomization`);
  const brokerUrl = (find(all, 'ConfigMap', 'activity-reindex-settings') as any).data.BROKER_URL as string;
  assert.ok(brokerUrl.endsWith(`/${namespace}/${to.ref.name}`), `the controller's BROKER_URL ${brokerUrl} is this Broker's ingress`);

  const subs = policy.spec.from.filter((f: { sub?: string }) => f.sub).map((f: { sub: string }) => f.sub);
  const controller = find(all, 'Deployment', 'reindex-controller') as any;
  assert.deepEqual(subs, [`system:serviceaccount:${namespace}:${controller.spec.template.spec.serviceAccountName}`]);

  const refs = policy.spec.from.filter((f: { ref?: unknown }) => f.ref).map((f: { ref: { kind: string; name: string } }) => f.ref);
  assert.deepEqual(refs.map((r: { kind: string }) => r.kind), ['Trigger']);
  const trigger = find(all, 'Trigger', refs[0].name) as any;
  assert.ok(trigger, `Trigger ${refs[0].name} is in the kustomization`);
  assert.equal(trigger.spec.filter.attributes.type, WINDOW_REQUESTED, 'the Trigger delivering windows, whose replies are the results');
  assert.equal(trigger.spec.subscriber.ref.name, 'reindex-window');
});
