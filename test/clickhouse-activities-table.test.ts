import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Activity } from '../shared/api/activity.js';
import { runMigrations } from '../migrations/run-migrations.js';
import { countActivities } from '../shared/clickhouse/count-activities.js';
import { createClickHouseClient } from '../shared/clickhouse/create-clickhouse-client.js';
import { insertActivities } from '../shared/clickhouse/insert-activities.js';
import { readStoredActivities } from '../shared/clickhouse/read-stored-activities.js';
import { DEFAULT_TABLES } from '../shared/clickhouse/source-tables.js';

const client = createClickHouseClient({ dataDir: mkdtempSync(join(tmpdir(), 'reindex-activities-table-')) });
after(() => client.close());
before(() => runMigrations(client));

// Recent enough that the table's 60-day TTL keeps it.
const day = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);

function activity(originId: string, summary: string, overrides: Partial<Activity['spec']> = {}): Activity {
  return {
    kind: 'Activity',
    apiVersion: 'activity.miloapis.com/v1alpha1',
    metadata: {
      name: `act-${originId}`,
      namespace: 'web',
      creationTimestamp: `${day}T10:15:00Z`,
      labels: { 'activity.miloapis.com/origin-type': 'audit', 'activity.miloapis.com/policy-name': 'deployments' },
    },
    spec: {
      summary,
      changeSource: 'human',
      actor: { type: 'user', name: 'alice@example.com', uid: 'u-alice', email: 'alice@example.com' },
      resource: { apiGroup: 'apps', apiVersion: 'v1', kind: 'Deployment', name: 'web', namespace: 'web', uid: 'dep-uid' },
      tenant: { type: 'Project', name: 'aurora' },
      origin: { type: 'audit', id: originId },
      ...overrides,
    },
  };
}

async function rows<T>(query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  return (await client.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>();
}

test('collapses two activities with the same origin and timestamp under FINAL, keeping the newer reindex_version', async () => {
  const older = activity('origin-a', 'alice changed web (old policy)');
  const newer = activity('origin-a', 'alice scaled web (new policy)');
  // Two inserts (one insert would be collapsed as it is written), the newer
  // version first: the version decides, not the order of arrival.
  for (const [a, version] of [[newer, '2026-03-02 00:00:00.000'], [older, '2026-03-01 00:00:00.000']] as const) {
    await client.insert({ table: 'audit.activities', values: [{ activity_json: JSON.stringify(a), reindex_version: version }], format: 'JSONEachRow' });
  }
  const all = await rows<{ summary: string }>("SELECT summary FROM audit.activities WHERE origin_id = 'origin-a'");
  assert.equal(all.length, 2);
  const final = await rows<{ summary: string }>("SELECT summary FROM audit.activities FINAL WHERE origin_id = 'origin-a'");
  assert.deepEqual(final, [{ summary: 'alice scaled web (new policy)' }]);
});

test('a later insert of the same origin replaces the earlier one, reindex_version defaulting to insert time', async () => {
  await insertActivities(client, DEFAULT_TABLES, [activity('origin-b', 'first')]);
  await new Promise((r) => setTimeout(r, 5));
  await insertActivities(client, DEFAULT_TABLES, [activity('origin-b', 'second')]);
  const stored = await readStoredActivities(client, DEFAULT_TABLES, {
    from: `${day}T00:00:00.000Z`, to: `${day}T23:59:59.999Z`, originType: 'audit', originIds: ['origin-b'],
  });
  assert.deepEqual(stored.map((a) => a.spec.summary), ['second']);
  assert.deepEqual(stored[0], activity('origin-b', 'second'));
});

test('computes every MATERIALIZED column of the activities table from activity_json', async () => {
  await insertActivities(client, DEFAULT_TABLES, [activity('origin-c', 'alice created web')]);
  const [row] = await rows<Record<string, string>>(
    `SELECT toString(timestamp) AS timestamp, tenant_type, tenant_name, origin_type, origin_id, change_source, actor_type, actor_name, actor_uid,
            api_group, resource_kind, resource_name, resource_namespace, resource_uid, activity_name, activity_namespace, summary
     FROM audit.activities FINAL WHERE origin_id = 'origin-c'`,
  );
  assert.deepEqual(row, {
    timestamp: `${day} 10:15:00.000`,
    tenant_type: 'Project', tenant_name: 'aurora', origin_type: 'audit', origin_id: 'origin-c', change_source: 'human',
    actor_type: 'user', actor_name: 'alice@example.com', actor_uid: 'u-alice',
    api_group: 'apps', resource_kind: 'Deployment', resource_name: 'web', resource_namespace: 'web', resource_uid: 'dep-uid',
    activity_name: 'act-origin-c', activity_namespace: 'web', summary: 'alice created web',
  });
  const columns = await rows<{ name: string }>(
    "SELECT name FROM system.columns WHERE database = 'audit' AND table = 'activities' AND default_kind = 'MATERIALIZED' ORDER BY name",
  );
  assert.deepEqual(columns.map((c) => c.name).sort(), ['timestamp', ...Object.keys(row).filter((k) => k !== 'timestamp')].sort());
});

test('counts activities by their own timestamp in [from, to), once per origin', async () => {
  const span = { from: `${day}T10:00:00.000Z`, to: `${day}T11:00:00.000Z` };
  const before = await countActivities(client, DEFAULT_TABLES, span);
  await insertActivities(client, DEFAULT_TABLES, [activity('origin-d', 'one'), activity('origin-d', 'again'), activity('origin-e', 'two')]);
  assert.equal(await countActivities(client, DEFAULT_TABLES, span), before + 2);
  assert.equal(await countActivities(client, DEFAULT_TABLES, { from: `${day}T10:15:00.001Z`, to: `${day}T11:00:00.000Z` }), 0);
});

test('computes the audit log columns from event_json alone', async () => {
  const auditID = '4f9a0d3e-1111-4a6f-9c1e-000000000042';
  await client.insert({
    table: 'audit.audit_logs',
    values: [{ event_json: JSON.stringify({
      kind: 'Event', apiVersion: 'audit.k8s.io/v1', auditID, stage: 'ResponseComplete', verb: 'patch',
      user: { username: 'alice@example.com', extra: { 'iam.miloapis.com/parent-type': ['Project'], 'iam.miloapis.com/parent-name': ['aurora'] } },
      objectRef: { resource: 'deployments', namespace: 'web', name: 'web', apiGroup: 'apps', apiVersion: 'v1', subresource: 'scale' },
      responseStatus: { metadata: {}, code: 200 },
      requestReceivedTimestamp: '2026-03-01T10:15:00.000123Z', stageTimestamp: '2026-03-01T10:15:00.041333Z',
    }) }],
    format: 'JSONEachRow',
  });
  const [row] = await rows<Record<string, unknown>>(
    `SELECT toString(timestamp) AS timestamp, audit_id, verb, stage, api_group, api_version, resource, subresource, namespace,
            resource_name, user, status_code, scope_type, scope_name FROM audit.audit_logs WHERE audit_id = {id:String}`,
    { id: auditID },
  );
  assert.deepEqual(row, {
    timestamp: '2026-03-01 10:15:00.000123', audit_id: auditID, verb: 'patch', stage: 'ResponseComplete', api_group: 'apps',
    api_version: 'v1', resource: 'deployments', subresource: 'scale', namespace: 'web', resource_name: 'web',
    user: 'alice@example.com', status_code: 200, scope_type: 'Project', scope_name: 'aurora',
  });
});

test('computes the Event columns from event_json alone, reading involvedObject for a core v1 Event', async () => {
  await client.insert({
    table: 'audit.k8s_events',
    values: [
      { event_json: JSON.stringify({
        apiVersion: 'events.k8s.io/v1', kind: 'Event',
        metadata: { name: 'web-1.abc', namespace: 'web', uid: 'ev-v1', annotations: { 'platform.miloapis.com/scope.type': 'Project', 'platform.miloapis.com/scope.name': 'aurora' } },
        eventTime: '2026-03-01T10:00:00.500000Z', series: { count: 4, lastObservedTime: '2026-03-01T10:05:00.000000Z' },
        reportingController: 'default-scheduler', action: 'Binding', reason: 'Scheduled', type: 'Normal',
        regarding: { apiVersion: 'v1', kind: 'Pod', namespace: 'web', name: 'web-1', uid: 'pod-uid' },
        related: { apiVersion: 'v1', kind: 'Node', name: 'node-1' },
      }) },
      { event_json: JSON.stringify({
        apiVersion: 'v1', kind: 'Event', metadata: { name: 'web.def', namespace: 'web', uid: 'ev-core' },
        involvedObject: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'web', name: 'web', uid: 'dep-uid' },
        reason: 'ScalingReplicaSet', type: 'Normal', source: { component: 'deployment-controller' },
        eventTime: null, firstTimestamp: '2026-03-01T09:00:00Z', lastTimestamp: '2026-03-01T09:30:00Z', count: 2,
      }) },
    ],
    format: 'JSONEachRow',
  });
  const got = await rows<Record<string, unknown>>(
    `SELECT event_uid, toString(timestamp) AS timestamp, api_version, namespace, name, reason, type, action, reporting_controller,
            regarding_api_version, regarding_api_group, regarding_kind, regarding_namespace, regarding_name, regarding_uid,
            related_kind, related_name, series_count, scope_type, scope_name
     FROM audit.k8s_events WHERE event_uid IN ('ev-v1', 'ev-core') ORDER BY event_uid`,
  );
  assert.deepEqual(got, [
    { event_uid: 'ev-core', timestamp: '2026-03-01 09:30:00.000000', api_version: 'v1', namespace: 'web', name: 'web.def',
      reason: 'ScalingReplicaSet', type: 'Normal', action: '', reporting_controller: 'deployment-controller',
      regarding_api_version: 'apps/v1', regarding_api_group: 'apps', regarding_kind: 'Deployment', regarding_namespace: 'web',
      regarding_name: 'web', regarding_uid: 'dep-uid', related_kind: '', related_name: '', series_count: 0, scope_type: '', scope_name: '' },
    { event_uid: 'ev-v1', timestamp: '2026-03-01 10:00:00.500000', api_version: 'events.k8s.io/v1', namespace: 'web', name: 'web-1.abc',
      reason: 'Scheduled', type: 'Normal', action: 'Binding', reporting_controller: 'default-scheduler',
      regarding_api_version: 'v1', regarding_api_group: '', regarding_kind: 'Pod', regarding_namespace: 'web',
      regarding_name: 'web-1', regarding_uid: 'pod-uid', related_kind: 'Node', related_name: 'node-1', series_count: 4,
      scope_type: 'Project', scope_name: 'aurora' },
  ]);
});

test('stores a row whose JSON does not parse, with a content-hash id when none can be recovered', async () => {
  await client.insert({ table: 'audit.audit_logs', values: [{ event_json: 'not json at all' }], format: 'JSONEachRow' });
  const [row] = await rows<{ audit_id: string }>("SELECT audit_id FROM audit.audit_logs WHERE event_json = 'not json at all'");
  assert.match(row.audit_id, /^sha-[0-9a-f]{64}$/);
});
