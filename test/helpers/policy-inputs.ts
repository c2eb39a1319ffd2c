// Policies and inputs for the policy engine's unit tests: one Pod policy
// shape, an audit event of a Pod created by alice, and the activity an
// outcome must hold.
import assert from 'node:assert/strict';
import type { ActivityPolicy, ActivityPolicyRule } from '../../shared/api/activity-policy.js';
import type { EvaluationOutcome } from '../../shared/policy/evaluation-outcome.js';

export function policy(name: string, resource: { apiGroup: string; kind: string }, rules: { audit?: ActivityPolicyRule[]; event?: ActivityPolicyRule[] }): ActivityPolicy {
  return { apiVersion: 'activity.miloapis.com/v1alpha1', kind: 'ActivityPolicy', metadata: { name }, spec: { resource, auditRules: rules.audit, eventRules: rules.event } };
}

export const POD = { apiGroup: '', kind: 'Pod' };

export function rule(name: string, match: string, summary: string): ActivityPolicyRule {
  return { name, match, summary };
}

/** alice@example.com created Pod default/web (audit.k8s.io/v1), with `overrides` on top. */
export function auditEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'RequestResponse',
    auditID: 'audit-1',
    stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/default/pods/web',
    verb: 'create',
    user: { username: 'alice@example.com', uid: 'u-1' },
    objectRef: { resource: 'pods', namespace: 'default', name: 'web', apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 201 },
    requestReceivedTimestamp: '2024-04-02T10:15:00.000100Z',
    stageTimestamp: '2024-04-02T10:15:00.041333Z',
    ...overrides,
  };
}

/** The activity of an outcome that must be one. */
export function activityOf(out: EvaluationOutcome) {
  assert.equal(out.outcome, 'activity', JSON.stringify(out));
  return (out as Extract<EvaluationOutcome, { outcome: 'activity' }>).activity;
}
