// The rules ACTIVITY-FORMAT.md §6 learned from the live processor's own
// tests, and event-rule match errors counted while the outcome stays live.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { compilePolicies } from './policy-engine.js';
import { activityOf, auditEvent, policy, POD, rule } from '../../test/helpers/policy-inputs.js';

function k8sEvent(annotations?: Record<string, string>, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'Event',
    apiVersion: 'events.k8s.io/v1',
    metadata: { name: 'web.1', namespace: 'default', uid: 'a1b2c3', ...(annotations ? { annotations } : {}) },
    eventTime: '2024-05-01T13:00:00.000000Z',
    reportingController: 'kubelet',
    reason: 'InstanceCrashed',
    regarding: { kind: 'Pod', namespace: 'default', name: 'instance-pod', uid: 'instance-pod-uid', apiVersion: 'v1' },
    ...overrides,
  };
}

// ACTIVITY-FORMAT.md §4, computed here independently of the engine.
function nameOf(originType: string, originId: string, apiGroup: string, kind: string): string {
  return `act-${createHash('sha256').update(`${originType}\0${originId}\0${apiGroup}\0${kind}`).digest('hex').slice(0, 12)}`;
}

const SOURCE = {
  'activity.miloapis.com/source-plane-type': 'edge',
  'activity.miloapis.com/source-cluster': 'cluster-dfw-1',
  'activity.miloapis.com/source-region': 'us-central1',
  'activity.miloapis.com/source-city': 'dfw',
};

// --- unresolvable link kind ------------------------------------------------------

test('an audit link whose resource discovery cannot resolve makes the input an error: no activity, one error, no further policy', () => {
  const engine = compilePolicies([
    policy('a', POD, { audit: [rule('r', 'true', '{{ link("w", {"resource": "widgets", "apiGroup": "example.com", "name": "w"}) }} made')] }),
    policy('b', POD, { audit: [rule('ok', 'true', 'would have been published')] }),
  ]);
  const out = engine.evaluate('audit', auditEvent());
  assert.equal(out.outcome, 'error');
  assert.equal(out.errors.length, 1);
  assert.deepEqual([out.errors[0]!.policy, out.errors[0]!.rule], ['a', 'r']);
  assert.match(out.errors[0]!.message, /kind_resolve: .*example\.com\/widgets/);
});

test('the same link resolves through the job discovery table, and a ref with a kind or only a type needs none', () => {
  const summary = '{{ link("w", {"resource": "widgets", "apiGroup": "example.com", "name": "w"}) }} {{ link("k", {"kind": "Gadget", "resource": "unknowns", "name": "k"}) }} {{ link(actor, actorRef) }}';
  const engine = compilePolicies([policy('a', POD, { audit: [rule('r', 'true', summary)] })], { 'example.com/widgets': 'Widget' });
  const activity = activityOf(engine.evaluate('audit', auditEvent()));
  assert.deepEqual(
    activity.spec.links?.map((l) => l.resource.kind),
    ['Widget', 'Gadget', 'user'],
  );
});

test('an unresolvable ref in an untaken branch is never recorded, so it is no error', () => {
  const summary = '{{ false ? link("w", {"resource": "widgets", "name": "w"}) : "none" }}';
  const out = compilePolicies([policy('a', POD, { audit: [rule('r', 'true', summary)] })]).evaluate('audit', auditEvent());
  assert.equal(activityOf(out).spec.summary, 'none');
  assert.deepEqual(out.errors, []);
});

// --- event summary error ---------------------------------------------------------------

test('an Event summary error stops the input: no activity, one error, the next policy not tried', () => {
  const engine = compilePolicies([
    policy('a', POD, { event: [rule('bad-summary', 'true', '{{ event.missing }}'), rule('later', 'true', 'not tried')] }),
    policy('b', POD, { event: [rule('ok', 'true', 'would have been published')] }),
  ]);
  const out = engine.evaluate('event', k8sEvent());
  assert.equal(out.outcome, 'error');
  assert.deepEqual(out.errors.map((e) => [e.policy, e.rule, e.expression]), [['a', 'bad-summary', 'event.missing']]);
});

// --- event match errors ------------------------------------------------------------------

test('event match errors are counted one each while the outcome stays the live one: no match', () => {
  const engine = compilePolicies([
    policy('a', POD, { event: [rule('m1', 'event.series.count > 1', 'x'), rule('m2', "event.reason == 'Other'", 'x')] }),
    policy('b', POD, { event: [rule('m3', "event.note == 'x'", 'x')] }),
  ]);
  const out = engine.evaluate('event', k8sEvent());
  assert.equal(out.outcome, 'no-match');
  assert.deepEqual(out.errors.map((e) => [e.policy, e.rule]), [['a', 'm1'], ['b', 'm3']]);
});

test('a guarded event equality on an absent field is evaluated, so its error is counted, not skipped', () => {
  const engine = compilePolicies([policy('a', POD, { event: [rule('m', "event.action == 'Kill'", 'x')] })]);
  const absent = engine.evaluate('event', k8sEvent());
  assert.equal(absent.outcome, 'no-match');
  assert.equal(absent.errors.length, 1);
  const other = engine.evaluate('event', k8sEvent(undefined, { action: 'Start' }));
  assert.deepEqual([other.outcome, other.errors.length], ['no-match', 0]);
});

// --- federated Events --------------------------------------------------------------------

test('a federated Event with all four source annotations: source variable, qualified origin id and name, spec.source', () => {
  const summary = '{{ source.planeType }}/{{ source.cluster }} in {{ source.region }} ({{ source.city }})';
  const engine = compilePolicies([policy('core-pods', POD, { event: [rule('crashed', "source.city == 'dfw'", summary)] })]);
  const out = engine.evaluate('event', k8sEvent(SOURCE));
  const activity = activityOf(out);
  assert.equal(activity.spec.summary, 'edge/cluster-dfw-1 in us-central1 (dfw)');
  assert.deepEqual(activity.spec.origin, { type: 'event', id: 'edge/cluster-dfw-1/a1b2c3' });
  assert.equal(activity.metadata.name, nameOf('event', 'edge/cluster-dfw-1/a1b2c3', '', 'Pod'));
  assert.notEqual(activity.metadata.name, nameOf('event', 'a1b2c3', '', 'Pod'));
  assert.deepEqual(activity.spec.source, { planeType: 'edge', cluster: 'cluster-dfw-1', region: 'us-central1', city: 'dfw' });
  // The live JSON order: source after origin.
  assert.deepEqual(Object.keys(activity.spec).slice(-2), ['origin', 'source']);
  assert.equal(out.originId, 'edge/cluster-dfw-1/a1b2c3');
  // Resource and namespace still come from regarding.
  assert.deepEqual(activity.spec.resource, { apiVersion: 'v1', kind: 'Pod', name: 'instance-pod', namespace: 'default', uid: 'instance-pod-uid' });
});

test('a federated Event with only some annotations: absent ones are empty strings, the origin id stays bare without both plane type and cluster', () => {
  const summary = "[{{ source.planeType }}][{{ source.cluster }}][{{ source.region }}][{{ source.city }}]";
  const engine = compilePolicies([policy('core-pods', POD, { event: [rule('r', "source.planeType == ''", summary)] })]);
  const partial = {
    'activity.miloapis.com/source-cluster': 'cluster-dfw-1',
    'activity.miloapis.com/source-region': 'us-central1',
  };
  const activity = activityOf(engine.evaluate('event', k8sEvent(partial)));
  assert.equal(activity.spec.summary, '[][cluster-dfw-1][us-central1][]');
  assert.deepEqual(activity.spec.origin, { type: 'event', id: 'a1b2c3' });
  assert.equal(activity.metadata.name, nameOf('event', 'a1b2c3', '', 'Pod'));
  assert.deepEqual(activity.spec.source, { cluster: 'cluster-dfw-1', region: 'us-central1' });
});

test('plane type and cluster alone qualify the origin id; empty annotations count as absent', () => {
  const engine = compilePolicies([policy('core-pods', POD, { event: [rule('r', 'true', 'x')] })]);
  const two = activityOf(engine.evaluate('event', k8sEvent({ 'activity.miloapis.com/source-plane-type': 'edge', 'activity.miloapis.com/source-cluster': 'c1' })));
  assert.equal(two.spec.origin.id, 'edge/c1/a1b2c3');
  assert.deepEqual(two.spec.source, { planeType: 'edge', cluster: 'c1' });
  // The exporter stamps all four, empty when it knows none.
  const empty = activityOf(
    engine.evaluate('event', k8sEvent(Object.fromEntries(Object.keys(SOURCE).map((k) => [k, ''])))),
  );
  assert.equal(empty.spec.origin.id, 'a1b2c3');
  assert.equal(empty.spec.source, undefined);
});

test('an Event with no source annotations: source fields are empty strings, never an error, and the activity has no spec.source', () => {
  const engine = compilePolicies([policy('core-pods', POD, { event: [rule('r', "source.city == '' && source.region == ''", 'plain')] })]);
  const out = engine.evaluate('event', k8sEvent(undefined, { metadata: { uid: 'a1b2c3' } }));
  const activity = activityOf(out);
  assert.deepEqual(out.errors, []);
  assert.equal(activity.spec.source, undefined);
  assert.equal('source' in activity.spec, false);
  assert.equal(activity.spec.origin.id, 'a1b2c3');
});

test('audit rules have no source variable', () => {
  assert.throws(() => compilePolicies([policy('p', POD, { audit: [rule('r', "source.city == 'dfw'", 'x')] })]), /source/);
});
