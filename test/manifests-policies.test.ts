// The NetworkPolicy and the EventPolicy of knative/ select what they are
// meant to: the pods of the two Knative Services (and no other workload),
// the Broker the code sends to, and as senders the controller's
// ServiceAccount and the Trigger whose subscriber replies with results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parseSelector } from '../local/kube-api-server/label-selector.js';
import { WINDOW_REQUESTED } from '../shared/contracts/cloud-event-types.js';
import { EventPolicy } from './manifests-event-policy.js';
import { DEFAULT_METRICS_PORT } from '../shared/metrics/serve-metrics.js';
import { find, readKustomization, KNATIVE_DIR, renderKnative, renderKustomization } from './manifests-load.js';

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

type Container = { name: string; ports?: { name?: string; containerPort: number }[]; env?: { name: string; value?: string }[] };
type PodTemplate = { metadata: { labels: Record<string, string> }; spec: { containers: Container[] } };

/** Every workload's pod template: Knative Services' revision templates and Deployments' pod templates. */
function podTemplates(): Map<string, PodTemplate> {
  const pods = new Map<string, PodTemplate>();
  for (const w of [...ofKind('Deployment'), ...ofKind('Service').filter((s) => s.apiVersion === 'serving.knative.dev/v1')]) {
    pods.set(w.metadata.name, w.spec.template);
  }
  return pods;
}

function podLabels(): Map<string, Record<string, string>> {
  return new Map([...podTemplates()].map(([name, t]) => [name, t.metadata.labels]));
}

type NetworkPolicyPeer = { namespaceSelector?: LabelSelector; podSelector?: LabelSelector; ipBlock?: unknown };
type IngressRule = { from?: NetworkPolicyPeer[]; ports?: { protocol?: string; port?: number | string }[] };

/**
 * Whether a NetworkPolicy lets a pod (its namespace and labels) open a TCP
 * connection to `port` (number and, when the container names it, name) of
 * the pods it selects, by the API's rules: no `from` or no `ports` admits
 * all, a peer without a namespaceSelector means the policy's own namespace.
 */
function admits(policy: any, from: { namespace: string; labels: Record<string, string> }, port: { number: number; name?: string }): boolean {
  if (!policy.spec.policyTypes?.includes('Ingress')) return true;
  return (policy.spec.ingress ?? []).some((rule: IngressRule) => {
    const portOk = !rule.ports || rule.ports.some((p) => (p.protocol ?? 'TCP') === 'TCP' && (p.port === undefined || p.port === port.number || (port.name !== undefined && p.port === port.name)));
    const fromOk =
      !rule.from ||
      rule.from.some((peer) => {
        if (peer.ipBlock) return false;
        const namespaceOk = peer.namespaceSelector
          ? parseSelector(selectorString(peer.namespaceSelector))({ 'kubernetes.io/metadata.name': from.namespace })
          : from.namespace === policy.metadata.namespace;
        return namespaceOk && (!peer.podSelector || parseSelector(selectorString(peer.podSelector))(from.labels));
      });
    return portOk && fromOk;
  });
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

test('the NetworkPolicy admits only Knative data-plane namespaces (and Prometheus on the metrics port), none of the reindex workloads or the whole cluster', () => {
  const policy = ofKind('NetworkPolicy')[0];
  assert.deepEqual(policy.spec.policyTypes, ['Ingress']);
  // Rules limited to ports are the scrape rules, checked in the next test.
  const dataPlane = policy.spec.ingress.filter((rule: { ports?: unknown[] }) => !rule.ports);
  assert.equal(dataPlane.length, policy.spec.ingress.length - 1, 'one rule limited to a port: Prometheus');
  const peers = dataPlane.flatMap((rule: { from?: unknown[] }) => {
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

/**
 * What the prometheus-monitoring component scrapes: each workload with the
 * container port (number, and name when it has one) its PodMonitor or
 * ServiceMonitor names.
 */
function scrapeTargets(): { workload: string; port: { number: number; name?: string } }[] {
  const monitors = renderKustomization(join(KNATIVE_DIR, 'components/prometheus-monitoring')).map(({ doc }) => doc as any);
  const templates = podTemplates();
  const containerPort = (t: PodTemplate, port: number | string) => {
    const named = t.spec.containers.flatMap((c) => c.ports ?? []).find((p) => (typeof port === 'number' ? p.containerPort === port : p.name === port));
    assert.ok(typeof port === 'number' || named, `container port ${port}`);
    return { number: named?.containerPort ?? (port as number), name: named?.name };
  };
  const targets: { workload: string; port: { number: number; name?: string } }[] = [];
  const selectedBy = (selector: LabelSelector | Record<string, string>, isLabelSelector: boolean) => {
    const matches = parseSelector(selectorString(isLabelSelector ? (selector as LabelSelector) : { matchLabels: selector as Record<string, string> }));
    return [...templates].filter(([, t]) => matches(t.metadata.labels));
  };
  for (const m of monitors.filter((d) => d.kind === 'PodMonitor')) {
    const selected = selectedBy(m.spec.selector, true);
    assert.ok(selected.length > 0, `PodMonitor ${m.metadata.name} selects a workload`);
    for (const [workload, t] of selected) {
      for (const e of m.spec.podMetricsEndpoints) targets.push({ workload, port: containerPort(t, e.port ?? e.targetPort) });
    }
  }
  for (const m of monitors.filter((d) => d.kind === 'ServiceMonitor')) {
    const services = ofKind('Service').filter((s) => s.apiVersion === 'v1' && parseSelector(selectorString(m.spec.selector))(s.metadata.labels ?? {}));
    assert.ok(services.length > 0, `ServiceMonitor ${m.metadata.name} selects a Service`);
    for (const service of services) {
      const selected = selectedBy(service.spec.selector, false);
      assert.ok(selected.length > 0, `Service ${service.metadata.name} selects a workload`);
      for (const e of m.spec.endpoints) {
        const servicePort = service.spec.ports.find((p: { name?: string }) => p.name === e.port);
        assert.ok(servicePort, `Service ${service.metadata.name} has port ${e.port}`);
        for (const [workload, t] of selected) targets.push({ workload, port: containerPort(t, servicePort.targetPort ?? servicePort.port) });
      }
    }
  }
  return targets;
}

test('Prometheus may scrape every component the monitoring component scrapes, on its metrics port and no other', () => {
  const prometheus = { namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'prometheus', prometheus: 'k8s' } };
  const otherPod = { namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'grafana' } };
  const templates = podTemplates();
  const targets = scrapeTargets();
  assert.deepEqual([...new Set(targets.map((t) => t.workload))].sort(), ['reindex-aggregator', 'reindex-controller', 'reindex-status-page', 'reindex-window']);
  let guarded = 0;
  for (const { workload, port } of targets) {
    const t = templates.get(workload)!;
    // The port scraped is the one the component serves /metrics on (METRICS_PORT, default 9090).
    const env = new Map(t.spec.containers.flatMap((c) => c.env ?? []).map((e) => [e.name, e.value]));
    assert.equal(port.number, Number(env.get('METRICS_PORT') ?? DEFAULT_METRICS_PORT), `${workload} serves /metrics on the port scraped`);
    const policies = ofKind('NetworkPolicy').filter((p) => p.metadata.namespace === namespace && parseSelector(selectorString(p.spec.podSelector))(t.metadata.labels));
    for (const policy of policies) {
      guarded++;
      assert.ok(admits(policy, prometheus, port), `NetworkPolicy ${policy.metadata.name} admits Prometheus to ${workload}:${port.number}`);
      assert.ok(!admits(policy, otherPod, port), `NetworkPolicy ${policy.metadata.name} admits only Prometheus from its namespace to ${workload}:${port.number}`);
      const serving = t.spec.containers.flatMap((c) => c.ports ?? []).filter((p) => p.containerPort !== port.number);
      for (const p of serving) assert.ok(!admits(policy, prometheus, { number: p.containerPort, name: p.name }), `Prometheus kept off ${workload}:${p.containerPort}`);
    }
  }
  assert.ok(guarded >= 2, 'the functions are behind the NetworkPolicy');
});
