import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Activity } from '../api/activity.js';
import { activitySubject, sanitizeSubjectToken } from './activity-subject.js';

function activity(tenantType: string, apiGroup: string | undefined, kind: string): Activity {
  return {
    apiVersion: 'activity.miloapis.com/v1alpha1',
    kind: 'Activity',
    metadata: { name: 'act-0123456789ab', creationTimestamp: '2025-01-01T00:00:00Z', labels: {} },
    spec: {
      summary: 's',
      changeSource: 'human',
      actor: { type: 'user', name: 'alice' },
      resource: { apiGroup, apiVersion: 'v1', kind, name: 'web' },
      tenant: { type: tenantType, name: 'x' },
      origin: { type: 'audit', id: 'a1' },
    },
  };
}

test('builds the subject from tenant type, api group and kind under the prefix', () => {
  assert.equal(activitySubject(activity('Organization', 'apps', 'Deployment')), 'activity_miloapis_com_reindex.Organization.apps.Deployment');
});

test('replaces dots in a token with dashes so the group stays one token', () => {
  assert.equal(
    activitySubject(activity('Project', 'resourcemanager.miloapis.com', 'Project')),
    'activity_miloapis_com_reindex.Project.resourcemanager-miloapis-com.Project',
  );
});

test('names the core group "core" and an empty token "unknown"', () => {
  assert.equal(activitySubject(activity('', '', 'Pod')), 'activity_miloapis_com_reindex.unknown.core.Pod');
  assert.equal(activitySubject(activity('platform', undefined, '')), 'activity_miloapis_com_reindex.platform.core.unknown');
});

test('replaces wildcards, spaces and other characters outside [A-Za-z0-9_-] with underscores', () => {
  assert.equal(sanitizeSubjectToken('a b*c>d/é'), 'a_b_c_d__');
  assert.equal(sanitizeSubjectToken('ok_-Z9'), 'ok_-Z9');
});

test('uses a configured prefix', () => {
  assert.equal(activitySubject(activity('platform', 'apps', 'Deployment'), 'x.y'), 'x.y.platform.apps.Deployment');
});
