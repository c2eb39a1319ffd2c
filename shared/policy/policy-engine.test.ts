import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ActivityPolicy } from '../api/activity-policy.js';
import { POLICY_NAME_LABEL } from '../api/activity.js';
import type { EvaluationOutcome } from './evaluation-outcome.js';
import { compilePolicies } from './policy-engine.js';
import { PolicyCompileError } from './policy-compile-error.js';
import { activityOf, auditEvent, policy, POD, rule } from '../../test/helpers/policy-inputs.js';

function k8sEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'Event',
    apiVersion: 'events.k8s.io/v1',
    metadata: { name: 'web.1', namespace: 'default', uid: 'ev-1', creationTimestamp: '2024-05-01T13:00:00Z' },
    eventTime: '2024-05-01T13:00:00.000000Z',
    reportingController: 'kubelet',
    reason: 'Started',
    note: 'Started container',
    regarding: { kind: 'Pod', namespace: 'default', name: 'web', uid: 'pod-1', apiVersion: 'v1' },
    ...overrides,
  };
}

/** The rendered summary of an audit event under one rule, or the outcome when there is none. */
function auditSummary(summary: string, input = auditEvent(), match = 'true'): string | EvaluationOutcome {
  const out = compilePolicies([policy('p', POD, { audit: [rule('r', match, summary)] })]).evaluate('audit', input);
  return out.outcome === 'activity' ? out.activity.spec.summary : out;
}

// --- audit normalization --------------------------------------------------

test('empty optional strings of the audit event are absent, so has() is false', () => {
  const input = auditEvent({ objectRef: { resource: 'pods', namespace: '', name: '', apiVersion: 'v1' } });
  assert.equal(auditSummary("{{ has(audit.objectRef.name) ? 'named' : 'unnamed' }} {{ string(has(audit.objectRef.namespace)) }}", input, 'true'), 'unnamed false');
});

test('required audit fields stay present even when empty, so comparing them never errors', () => {
  const input = auditEvent({ verb: undefined, stage: '' });
  assert.equal(auditSummary("[{{ audit.verb }}][{{ audit.stage }}]", input), '[][]');
});

test('unknown audit fields are dropped as Go typed decoding drops them', () => {
  const input = auditEvent({ extraField: 'x' });
  assert.equal(auditSummary("{{ has(audit.extraField) ? 'kept' : 'dropped' }}", input), 'dropped');
});

test('audit timestamps are re-rendered in UTC with exactly six fractional digits', () => {
  const input = auditEvent({ requestReceivedTimestamp: '2024-04-02T12:15:00.5+02:00', stageTimestamp: '2024-04-02T10:15:01Z' });
  assert.equal(auditSummary('{{ audit.requestReceivedTimestamp }} {{ audit.stageTimestamp }}', input), '2024-04-02T10:15:00.500000Z 2024-04-02T10:15:01.000000Z');
});

test('a timestamp without six fractional digits is still recovered, truncated to seconds (Decision)', () => {
  const out = compilePolicies([policy('p', POD, { audit: [rule('r', 'true', 'x')] })]).evaluate(
    'audit',
    auditEvent({ requestReceivedTimestamp: '2024-04-02T10:15:59.999999999Z' }),
  );
  assert.equal(activityOf(out).metadata.creationTimestamp, '2024-04-02T10:15:59Z');
});

test('missing user, responseStatus, requestObject and responseObject become empty maps', () => {
  const input = auditEvent({ user: undefined, responseStatus: undefined });
  assert.equal(
    auditSummary('{{ string(size(audit.user)) }}/{{ string(size(audit.responseStatus)) }}/{{ string(size(audit.requestObject)) }}/{{ string(size(audit.responseObject)) }} [{{ actor }}]', input),
    '0/0/0/0 []',
  );
});

test('responseStatus gets metadata {} and keeps its code as a double', () => {
  const input = auditEvent({ responseStatus: { code: 200 } });
  assert.equal(auditSummary("{{ string(size(audit.responseStatus.metadata)) }} {{ audit.responseStatus.code }}", input, 'audit.responseStatus.code == 200'), '0 200');
});

test('an audit event without objectRef is skipped', () => {
  const out = compilePolicies([policy('p', POD, { audit: [rule('r', 'true', 'x')] })]).evaluate('audit', auditEvent({ objectRef: undefined }));
  assert.equal(out.outcome, 'skipped');
  assert.equal(out.originId, 'audit-1');
});

test('an audit event with a wrongly typed field is an input error, not a crash', () => {
  const out = compilePolicies([policy('p', POD, { audit: [rule('r', 'true', 'x')] })]).evaluate('audit', auditEvent({ verb: 5 }));
  assert.equal(out.outcome, 'error');
  assert.equal(out.errors.length, 1);
  assert.match((out as { error: string }).error, /verb/);
});

test('an input with no usable timestamp is an error with no policy, never an activity stamped now (Decision)', () => {
  const engine = compilePolicies([policy('p', POD, { audit: [rule('r', 'true', 'x')], event: [rule('e', 'true', 'x')] })]);
  const audit = engine.evaluate('audit', auditEvent({ requestReceivedTimestamp: undefined }));
  assert.equal(audit.outcome, 'error');
  assert.deepEqual([(audit as { policy: string }).policy, (audit as { rule: string }).rule], ['', '']);
  const event = engine.evaluate('event', k8sEvent({ eventTime: null, metadata: { uid: 'ev-9' } }));
  assert.equal(event.outcome, 'error');
  assert.equal(event.originId, 'ev-9');
});

test('an input without an origin id is one error row, never an activity', () => {
  const engine = compilePolicies([policy('p', POD, { audit: [rule('r', 'true', 'x')], event: [rule('e', 'true', 'x')] })]);
  for (const [kind, input] of [
    ['audit', auditEvent({ auditID: undefined })],
    ['audit', auditEvent({ auditID: '' })],
    ['event', k8sEvent({ metadata: { name: 'no-uid' } })],
  ] as const) {
    const out = engine.evaluate(kind, input);
    assert.equal(out.outcome, 'error', `${kind} without origin id`);
    assert.equal(out.originId, '');
    assert.equal(out.errors.length, 1);
    assert.match(out.errors[0]!.message, /^input has no origin id/);
  }
});

test('subresources are not part of the key, and verbs filter nothing by themselves', () => {
  const input = auditEvent({ verb: 'get', objectRef: { resource: 'pods', subresource: 'log', namespace: 'default', name: 'web', apiVersion: 'v1' } });
  assert.equal(auditSummary("{{ kind }}/{{ audit.objectRef.subresource }}", input), 'pods/log');
});

test('actorRef types service accounts, system users, users and the unknown', () => {
  const summary = '{{ actorRef.type }}:{{ actorRef.name }}';
  assert.equal(auditSummary(summary, auditEvent({ user: { username: 'system:serviceaccount:ns:sa' } })), 'serviceaccount:system:serviceaccount:ns:sa');
  assert.equal(auditSummary(summary, auditEvent({ user: { username: 'system:kube-scheduler' } })), 'system:system:kube-scheduler');
  assert.equal(auditSummary(summary, auditEvent({ user: { username: 'bob' } })), 'user:bob');
  assert.equal(auditSummary(summary, auditEvent({ user: {} })), 'unknown:');
});

test('an audit event with no username gets actor unknown', () => {
  const out = compilePolicies([policy('p', POD, { audit: [rule('r', 'true', 'x')] })]).evaluate('audit', auditEvent({ user: {} }));
  const activity = activityOf(out);
  assert.deepEqual(activity.spec.actor, { type: 'user', name: 'unknown' });
  assert.equal(activity.spec.changeSource, 'human');
});

// --- match errors ------------------------------------------------------------

test('an audit rule whose match errors stops its policy, counts one error, and the next policy is tried', () => {
  const engine = compilePolicies([
    policy('a-first', POD, { audit: [rule('broken', 'audit.responseObject.spec.replicas > 1', 'never'), rule('fallback', 'true', 'not reached')] }),
    policy('b-second', POD, { audit: [rule('ok', 'true', 'second policy')] }),
  ]);
  const out = engine.evaluate('audit', auditEvent());
  assert.equal(activityOf(out).spec.summary, 'second policy');
  assert.equal(out.errors.length, 1);
  assert.deepEqual([out.errors[0].policy, out.errors[0].rule, out.errors[0].expression], ['a-first', 'broken', 'audit.responseObject.spec.replicas > 1']);
});

test('an audit rule whose match is not a bool counts as an error', () => {
  const out = compilePolicies([policy('p', POD, { audit: [rule('r', 'audit.verb', 'x')] })]).evaluate('audit', auditEvent());
  assert.equal(out.outcome, 'error');
  assert.equal((out as { rule: string }).rule, 'r');
});

test('when every policy errors the outcome is error, naming the first policy, rule and expression', () => {
  const engine = compilePolicies([
    policy('b', POD, { audit: [rule('rb', 'audit.missing == 1', 'x')] }),
    policy('a', POD, { audit: [rule('ra', 'audit.nope == 1', 'x')] }),
  ]);
  const out = engine.evaluate('audit', auditEvent());
  assert.equal(out.outcome, 'error');
  assert.equal(out.errors.length, 2);
  const error = out as Extract<EvaluationOutcome, { outcome: 'error' }>;
  assert.deepEqual([error.policy, error.rule], ['a', 'ra']);
  assert.match(error.error, /audit\.nope == 1/);
});

test('an event rule whose match errors is passed over and the next rule wins, the error counted', () => {
  const engine = compilePolicies([
    policy('p', POD, { event: [rule('broken', 'event.series.count > 1', 'never'), rule('ok', "event.reason == 'Started'", 'second rule')] }),
  ]);
  const out = engine.evaluate('event', k8sEvent());
  assert.equal(activityOf(out).spec.summary, 'second rule');
  assert.equal((out as { rule: string }).rule, 'ok');
  assert.deepEqual(out.errors.map((e) => [e.policy, e.rule, e.expression]), [['p', 'broken', 'event.series.count > 1']]);
});

test('a summary error on the matched rule yields no activity from that policy and one error', () => {
  const engine = compilePolicies([
    policy('a', POD, { audit: [rule('bad-summary', 'true', 'x {{ audit.responseObject.spec.nope }}'), rule('later', 'true', 'not tried')] }),
    policy('b', POD, { audit: [rule('ok', 'true', 'from b')] }),
  ]);
  const out = engine.evaluate('audit', auditEvent());
  assert.equal(activityOf(out).spec.summary, 'from b');
  assert.deepEqual(out.errors.map((e) => [e.policy, e.rule, e.expression]), [['a', 'bad-summary', 'audit.responseObject.spec.nope']]);
});

test('no rule matching gives no-match; no policy for the resource gives skipped', () => {
  const engine = compilePolicies([policy('p', POD, { audit: [rule('r', "audit.verb == 'delete'", 'x')] })]);
  assert.equal(engine.evaluate('audit', auditEvent()).outcome, 'no-match');
  const other = engine.evaluate('audit', auditEvent({ objectRef: { resource: 'secrets', name: 's', apiVersion: 'v1' } }));
  assert.equal(other.outcome, 'skipped');
});

// --- summaries ---------------------------------------------------------------

test('a placeholder whose expression spans lines is left verbatim; whitespace around one is trimmed', () => {
  assert.equal(auditSummary("a {{ actor ==\n'x' }} b {{\n  actor  }} c"), "a {{ actor ==\n'x' }} b alice@example.com c");
});

test('replaced text is not scanned again', () => {
  const input = auditEvent({ objectRef: { resource: 'pods', name: '{{ actor }}', apiVersion: 'v1' } });
  assert.equal(auditSummary('{{ audit.objectRef.name }}', input), '{{ actor }}');
});

test('numbers render as Go float64 %v: 1e+06, 1.234567e+06, 0.5, 200', () => {
  const input = auditEvent({ requestObject: { a: 1000000, b: 1234567, c: 0.5, d: 200, e: 123456, f: 0.00001 } });
  assert.equal(
    auditSummary('{{ audit.requestObject.a }} {{ audit.requestObject.b }} {{ audit.requestObject.c }} {{ audit.requestObject.d }} {{ audit.requestObject.e }} {{ audit.requestObject.f }}', input),
    '1e+06 1.234567e+06 0.5 200 123456 1e-05',
  );
});

test('bools, lists and maps render as Go %v', () => {
  const input = auditEvent({ requestObject: { flag: true, list: ['a', 2], map: { z: 1, a: 'b' } } });
  assert.equal(auditSummary('{{ audit.requestObject.flag }} {{ audit.requestObject.list }} {{ audit.requestObject.map }}', input), 'true [a 2] map[a:b z:1]');
});

// --- links -------------------------------------------------------------------

test('link() with a non-map ref returns the text and records nothing', () => {
  const out = compilePolicies([policy('p', POD, { audit: [rule('r', 'true', "{{ link(actor, 'not-a-map') }} {{ link('n', audit.objectRef.name) }}")] })]).evaluate('audit', auditEvent());
  const activity = activityOf(out);
  assert.equal(activity.spec.summary, 'alice@example.com n');
  assert.equal(activity.spec.links, undefined);
});

test('link() calls in an untaken branch record nothing, and links keep evaluation order', () => {
  const summary = "{{ false ? link('x', actorRef) : 'no' }} {{ link(audit.objectRef.name, audit.objectRef) }} {{ link(actor, actorRef) }}";
  const activity = activityOf(compilePolicies([policy('p', POD, { audit: [rule('r', 'true', summary)] })]).evaluate('audit', auditEvent()));
  assert.deepEqual(activity.spec.links?.map((l) => l.marker), ['web', 'alice@example.com']);
  assert.deepEqual(activity.spec.links?.[0].resource, { apiVersion: 'v1', kind: 'Pod', name: 'web', namespace: 'default' });
});

test('match expressions record no links', () => {
  const activity = activityOf(compilePolicies([policy('p', POD, { audit: [rule('r', "link(actor, actorRef) != ''", 'plain')] })]).evaluate('audit', auditEvent()));
  assert.equal(activity.spec.links, undefined);
});

test('event links copy the ref top level only, with apiVersion always empty', () => {
  const summary = '{{ link(event.regarding.name, event.regarding) }}';
  const input = k8sEvent({ regarding: { kind: 'Deployment', apiGroup: 'apps', name: 'web', namespace: 'default', apiVersion: 'apps/v1', metadata: { uid: 'ignored' } } });
  const engine = compilePolicies([policy('p', { apiGroup: 'apps', kind: 'Deployment' }, { event: [rule('r', 'true', summary)] })]);
  const activity = activityOf(engine.evaluate('event', input));
  assert.deepEqual(activity.spec.links, [{ marker: 'web', resource: { apiGroup: 'apps', apiVersion: '', kind: 'Deployment', name: 'web', namespace: 'default' } }]);
});

test('audit links resolve kind through discovery and identity through metadata', () => {
  const summary = '{{ link(audit.objectRef.name, audit.objectRef) }} {{ link("x", audit.requestObject) }}';
  const input = auditEvent({
    objectRef: { resource: 'widgets', apiGroup: 'example.com', name: 'w', namespace: 'ns', apiVersion: 'v2' },
    requestObject: { apiVersion: 'example.com/v2', metadata: { name: 'meta-name', uid: 'meta-uid' } },
  });
  const engine = compilePolicies([policy('p', { apiGroup: 'example.com', kind: 'Widget' }, { audit: [rule('r', 'true', summary)] })], { 'example.com/widgets': 'Widget' });
  const activity = activityOf(engine.evaluate('audit', input));
  assert.deepEqual(activity.spec.links, [
    { marker: 'w', resource: { apiGroup: 'example.com', apiVersion: 'v2', kind: 'Widget', name: 'w', namespace: 'ns' } },
    { marker: 'x', resource: { apiGroup: 'example.com', apiVersion: 'v2', kind: '', name: 'meta-name', uid: 'meta-uid' } },
  ]);
});

// --- tenants -----------------------------------------------------------------

function tenantOf(extra: Record<string, string[]>) {
  const out = compilePolicies([policy('p', POD, { audit: [rule('r', 'true', 'x')] })]).evaluate('audit', auditEvent({ user: { username: 'u', extra } }));
  return activityOf(out).spec.tenant;
}

test('audit tenant: parent-type and parent-name, else platform', () => {
  assert.deepEqual(tenantOf({}), { type: 'platform', name: '' });
  assert.deepEqual(tenantOf({ 'iam.miloapis.com/parent-type': ['Organization'], 'iam.miloapis.com/parent-name': ['acme'] }), { type: 'Organization', name: 'acme' });
});

test('audit tenant: organization applies only while still platform; project always wins', () => {
  assert.deepEqual(tenantOf({ organization: ['legacy-org'] }), { type: 'Organization', name: 'legacy-org' });
  assert.deepEqual(tenantOf({ 'iam.miloapis.com/parent-type': ['User'], 'iam.miloapis.com/parent-name': ['u1'], organization: ['o'] }), { type: 'User', name: 'u1' });
  assert.deepEqual(tenantOf({ 'iam.miloapis.com/parent-type': ['Organization'], 'iam.miloapis.com/parent-name': ['acme'], project: ['p1'] }), { type: 'Project', name: 'p1' });
  assert.deepEqual(tenantOf({ organization: ['o'], project: ['p1'] }), { type: 'Project', name: 'p1' });
});

test('event tenant comes from scope annotations only when the type is set', () => {
  const engine = compilePolicies([policy('p', POD, { event: [rule('r', 'true', 'x')] })]);
  const meta = (annotations: Record<string, string>) => ({ uid: 'e', annotations });
  const tenant = (annotations: Record<string, string>) => activityOf(engine.evaluate('event', k8sEvent({ metadata: meta(annotations) }))).spec.tenant;
  assert.deepEqual(tenant({ 'platform.miloapis.com/scope.type': 'Project', 'platform.miloapis.com/scope.name': 'p' }), { type: 'Project', name: 'p' });
  assert.deepEqual(tenant({ 'platform.miloapis.com/scope.name': 'p' }), { type: 'platform', name: '' });
});

// --- ordering and keys --------------------------------------------------------

test('policies for one key are tried in name order, whatever order they were given in', () => {
  const engine = compilePolicies([
    policy('zeta', POD, { audit: [rule('r', 'true', 'zeta')] }),
    policy('alpha', POD, { audit: [rule('r', 'true', 'alpha')] }),
  ]);
  const out = engine.evaluate('audit', auditEvent());
  assert.equal(activityOf(out).spec.summary, 'alpha');
  assert.equal(activityOf(out).metadata.labels[POLICY_NAME_LABEL], 'alpha');
  assert.deepEqual(engine.policies.map((p) => p.metadata.name), ['alpha', 'zeta']);
});

test('within a policy the first matching rule wins', () => {
  const out = compilePolicies([policy('p', POD, { audit: [rule('no', 'false', 'x'), rule('first', 'true', 'first'), rule('second', 'true', 'second')] })]).evaluate('audit', auditEvent());
  assert.equal((out as { rule: string }).rule, 'first');
});

test('audit input finds a policy through the plural of its kind, from built-ins or the English rule', () => {
  const policies = [
    policy('np', { apiGroup: 'networking.k8s.io', kind: 'NetworkPolicy' }, { audit: [rule('r', 'true', '{{ kind }}')] }),
    policy('gw', { apiGroup: 'example.com', kind: 'Gizmo' }, { audit: [rule('r', 'true', '{{ kind }}')] }),
  ];
  const engine = compilePolicies(policies);
  const np = engine.evaluate('audit', auditEvent({ objectRef: { resource: 'networkpolicies', apiGroup: 'networking.k8s.io', name: 'n', apiVersion: 'v1' } }));
  assert.equal(activityOf(np).spec.summary, 'networkpolicies');
  const gizmo = engine.evaluate('audit', auditEvent({ objectRef: { resource: 'gizmos', apiGroup: 'example.com', name: 'g', apiVersion: 'v1' } }));
  assert.equal(activityOf(gizmo).spec.summary, 'gizmos');
});

test('event input is keyed by the subject group (from apiVersion) and Kind; involvedObject stands in for regarding', () => {
  const engine = compilePolicies([policy('d', { apiGroup: 'apps', kind: 'Deployment' }, { event: [rule('r', 'true', '{{ event.regarding.name }} by {{ actor }}')] })]);
  const core = k8sEvent({ apiVersion: 'v1', regarding: undefined, reportingController: '', source: { component: 'deployment-controller' }, involvedObject: { kind: 'Deployment', apiVersion: 'apps/v1', name: 'web', namespace: 'default' } });
  const activity = activityOf(engine.evaluate('event', core));
  assert.equal(activity.spec.summary, 'web by deployment-controller');
  assert.deepEqual(activity.spec.actor, { type: 'controller', name: 'deployment-controller' });
  assert.equal(engine.evaluate('event', k8sEvent({ regarding: { kind: 'Deployment', apiVersion: 'v1', name: 'x' } })).outcome, 'skipped');
  assert.equal(engine.evaluate('event', k8sEvent({ regarding: { kind: '', apiVersion: 'apps/v1' } })).outcome, 'skipped');
  assert.equal(engine.evaluate('event', k8sEvent({ regarding: 'nope' })).outcome, 'skipped');
});

test('event timestamps: the first parseable of eventTime, lastTimestamp, firstTimestamp, creationTimestamp', () => {
  const engine = compilePolicies([policy('p', POD, { event: [rule('r', 'true', 'x')] })]);
  const ts = (o: Record<string, unknown>) => activityOf(engine.evaluate('event', k8sEvent(o))).metadata.creationTimestamp;
  assert.equal(ts({ eventTime: 'garbage', lastTimestamp: '2024-05-01T10:00:00Z', firstTimestamp: '2024-05-01T09:00:00Z' }), '2024-05-01T10:00:00Z');
  assert.equal(ts({ eventTime: null, firstTimestamp: '2024-05-01T09:00:00Z' }), '2024-05-01T09:00:00Z');
  assert.equal(ts({ eventTime: undefined }), '2024-05-01T13:00:00Z');
});

test('the activity name hashes origin and the policy resource, and is stable', () => {
  const engine = compilePolicies([policy('p', POD, { audit: [rule('r', 'true', 'x')] })]);
  const a = activityOf(engine.evaluate('audit', auditEvent())).metadata.name;
  assert.match(a, /^act-[0-9a-f]{12}$/);
  assert.equal(activityOf(engine.evaluate('audit', auditEvent())).metadata.name, a);
  assert.notEqual(activityOf(engine.evaluate('audit', auditEvent({ auditID: 'audit-2' }))).metadata.name, a);
});

// --- admission -----------------------------------------------------------------

function compileError(p: ActivityPolicy): PolicyCompileError {
  try {
    compilePolicies([p]);
  } catch (err) {
    assert.ok(err instanceof PolicyCompileError, String(err));
    return err;
  }
  assert.fail('expected a PolicyCompileError');
}

test('a match that does not parse is rejected naming policy, rule and expression', () => {
  const err = compileError(policy('bad', POD, { audit: [rule('r1', 'audit.verb ==', 'x')] }));
  assert.deepEqual([err.policy, err.rule, err.expression], ['bad', 'r1', 'audit.verb ==']);
  assert.match(err.message, /bad.*r1.*audit\.verb ==/);
});

test('a match that is not a bool is rejected', () => {
  const err = compileError(policy('bad', POD, { audit: [rule('r1', "'yes'", 'x')] }));
  assert.match(err.message, /string/);
});

test('undeclared names are rejected: audit rules have no event, event rules no kind', () => {
  assert.equal(compileError(policy('a', POD, { audit: [rule('r', "event.reason == 'x'", 'x')] })).expression, "event.reason == 'x'");
  assert.equal(compileError(policy('e', POD, { event: [rule('r', "kind == 'pods'", 'x')] })).expression, "kind == 'pods'");
  assert.equal(compileError(policy('u', POD, { audit: [rule('r', 'true', '{{ nosuch }}')] })).expression, 'nosuch');
});

test('a summary placeholder must be a string or dyn', () => {
  const err = compileError(policy('p', POD, { audit: [rule('r', 'true', 'count {{ 1 + 2 }}')] }));
  assert.equal(err.expression, '1 + 2');
  assert.doesNotThrow(() => compilePolicies([policy('p', POD, { audit: [rule('r', 'true', '{{ audit.responseStatus.code }} {{ actor }}')] })]));
});
