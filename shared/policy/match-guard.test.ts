import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auditVariables } from './audit-variables.js';
import { compileCel, createCelEnvironment } from './cel-environment.js';
import { eventVariables } from './event-variables.js';
import { matchGuard } from './match-guard.js';
import { normalizeAuditEvent } from './normalize-audit-event.js';

const noLink = (text: string) => text;

function celOutcome(run: () => unknown): unknown {
  try {
    return run();
  } catch {
    return 'error';
  }
}

const AUDIT_MATCHES = [
  "audit.verb == 'create'",
  "'delete' == audit.verb",
  "audit.verb in ['update', 'patch'] && audit.responseStatus.code < 300",
  "audit.responseStatus.code < 300 && audit.verb == 'create'",
  "has(audit.objectRef.subresource) && audit.objectRef.subresource == 'status'",
  "audit.objectRef.subresource == 'scale' && audit.verb == 'patch'",
  "audit.objectRef.namespace == 'web'",
  "audit.missing.field == 1 && audit.stage == 'ResponseComplete'",
];

const AUDIT_INPUTS: Record<string, unknown>[] = [
  { verb: 'create', objectRef: { resource: 'pods', namespace: 'web', name: 'a' }, responseStatus: { code: 201 } },
  { verb: 'patch', objectRef: { resource: 'pods', name: 'a', subresource: 'scale' }, responseStatus: { code: 200 } },
  { verb: 'update', objectRef: { resource: 'pods', subresource: 'status' }, responseStatus: { code: 500 } },
  { verb: 'delete', objectRef: { resource: 'pods', subresource: '' }, responseStatus: {} },
  { verb: '', objectRef: { resource: 'pods' }, stage: 'ResponseComplete' },
].map((o) => ({ auditID: 'a', user: { username: 'alice' }, requestReceivedTimestamp: '2024-04-02T10:15:00.000100Z', ...o }));

test('an audit guard is false only where the CEL match is false, never where it errs or holds', () => {
  const env = createCelEnvironment('audit', noLink);
  let skipped = 0;
  for (const match of AUDIT_MATCHES) {
    const program = compileCel(env, match, ['bool']);
    const guard = matchGuard(program.ast, 'audit');
    assert.ok(guard, `no guard for ${match}`);
    for (const raw of AUDIT_INPUTS) {
      const audit = normalizeAuditEvent(raw);
      if (guard(audit)) continue;
      skipped++;
      assert.equal(celOutcome(() => program(auditVariables(audit))), false, `${match} on ${JSON.stringify(raw)}`);
    }
  }
  assert.ok(skipped >= 15, `guards skipped only ${skipped} evaluations`);
});

test('an event guard is false only where the CEL match is false, never where it errs (an error is counted)', () => {
  const env = createCelEnvironment('event', noLink);
  const inputs: Record<string, unknown>[] = [
    { reason: 'Killing', type: 'Normal', involvedObject: { kind: 'Pod' } },
    { reason: 'BackOff', type: 'Warning', regarding: { kind: 'Pod' } },
    { reason: 7, type: 'Normal' },
    { type: 'Normal' },
  ];
  let skipped = 0;
  for (const match of ["event.reason == 'Killing'", "event.reason in ['BackOff', 'Failed'] && event.type == 'Warning'", "event.type == 'Normal' && event.note == 'x'"]) {
    const program = compileCel(env, match, ['bool']);
    const guard = matchGuard(program.ast, 'event');
    assert.ok(guard, `no guard for ${match}`);
    for (const event of inputs) {
      if (guard(event)) continue;
      skipped++;
      assert.equal(celOutcome(() => program(eventVariables(event))), false, `${match} on ${JSON.stringify(event)}`);
    }
  }
  assert.ok(skipped >= 5, `guards skipped only ${skipped} evaluations`);
});

test('expressions whose outcome a guard cannot settle get none', () => {
  const audit = createCelEnvironment('audit', noLink);
  for (const match of ["audit.verb == 'a' || audit.verb == 'b'", "audit.userAgent == 'kubectl'", "!(audit.verb == 'get')", "kind == 'pods'"]) {
    assert.equal(matchGuard(compileCel(audit, match, ['bool']).ast, 'audit'), undefined, match);
  }
  const event = createCelEnvironment('event', noLink);
  assert.equal(matchGuard(compileCel(event, "event.regarding == 'x'", ['bool']).ast, 'event'), undefined);
});
