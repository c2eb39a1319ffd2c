// RBAC, checked against what the code really calls: the real controller
// (with its Lease loop) and the real aggregator run a small job against the
// in-memory API server, each through its own recording proxy, so every
// request is attributed to the ServiceAccount that would make it. Then both
// ways: every request is granted by that ServiceAccount's roles in
// knative/, and every granted verb was used. The status page, reading those
// jobs, must be granted every read it makes.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { CoordinationV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { ClickHouseClient } from '@clickhouse/client';
import { buildAggregatorDeps } from '../functions/aggregator/build-aggregator-deps.js';
import { startAggregator } from '../functions/aggregator/start-aggregator.js';
import { buildWindowDeps } from '../functions/window/build-window-deps.js';
import { startWindowFunction } from '../functions/window/start-window-function.js';
import { applyReadyPolicies } from '../local/apply-ready-policies.js';
import { startKubeApiServer, type KubeApiServer } from '../local/kube-api-server.js';
import type { ActivityPolicy } from '../shared/api/activity-policy.js';
import { isNamespacedUnlessNamespaceSubresource, parseResourcePath, rbacVerb } from '../local/kube-api-server/resource-path.js';
import { natsServerAvailable, startNatsServer, type NatsServerHandle } from '../local/nats-server.js';
import { runMigrations } from '../migrations/run-migrations.js';
import { GROUP, REINDEXJOB_PLURAL, VERSION, type ReindexJob } from '../shared/api/reindex-job.js';
import { createClickHouseClient } from '../shared/clickhouse/create-clickhouse-client.js';
import { DEFAULT_TABLES } from '../shared/clickhouse/source-tables.js';
import { kubeConfigForUrl } from '../shared/kube/kube-config.js';
import { connectNats } from '../shared/nats/connect-nats.js';
import { ensureStream } from '../shared/nats/ensure-stream.js';
import { silentLogger } from '../shared/log.js';
import { startLeaderElection } from '../controller/leader-election.js';
import { runController } from '../controller/run-controller.js';
import { kubeJobSource } from '../status-page/kube-job-source.js';
import { startForwardingProxy } from '../bench/forwarding-proxy.js';
import { startRecordingBroker, type RecordingBroker } from './helpers/recording-broker.js';
import { find, renderKnative } from './manifests-load.js';
import { TEST_SIGNING_KEY } from './window-function-fixtures.js';
import { deploymentUpdate } from './helpers/audit-events.js';

// Where the manifests run the controller (its POD_NAMESPACE) and bind its Role.
const NAMESPACE = 'activity-system';
const HOUR = 3600_000;
const BASE = Math.floor((Date.now() - 48 * HOUR) / HOUR) * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

/** One request as RBAC sees it. */
type Access = { verb: string; group: string; resource: string; namespace?: string };
type Recorder = { url: string; seen: Access[]; close(): Promise<void> };

const manifests = renderKnative();
let kube: KubeApiServer;
let clickhouse: ClickHouseClient;
let nats: NatsServerHandle;
let nc: NatsConnection;
let broker: RecordingBroker;
let asController: Recorder;
let asAggregator: Recorder;
const closers: (() => Promise<unknown>)[] = [];

before(async () => {
  if (!natsServerAvailable()) return;
  clickhouse = createClickHouseClient({ dataDir: mkdtempSync(join(tmpdir(), 'reindex-rbac-')) });
  await runMigrations(clickhouse);
  await seed(clickhouse);
  nats = await startNatsServer();
  nc = await connectNats(nats.url);
  await ensureStream(await jetstreamManager(nc));
    kube = await startKubeApiServer();
  asController = await startRecordingProxy(kube.url);
  asAggregator = await startRecordingProxy(kube.url);
  const windowFunction = await startWindowFunction(await buildWindowDeps({ clickhouse, nc, log: silentLogger, signingKey: TEST_SIGNING_KEY }));
  // Configured as knative/aggregator-service.yaml configures it.
  const eventsNamespace = envOf('reindex-aggregator', 'EVENTS_NAMESPACE');
  const aggregator = await startAggregator(buildAggregatorDeps({ kubeConfig: kubeConfigForUrl(asAggregator.url), log: silentLogger, eventsNamespace, signingKey: TEST_SIGNING_KEY }));
  broker = await startRecordingBroker({ windowUrl: windowFunction.url, aggregatorUrl: aggregator.url, retries: 0 });
  closers.push(() => broker.close(), () => aggregator.close(), () => windowFunction.close(1000));
  closers.push(() => asController.close(), () => asAggregator.close(), () => kube.close());
});

after(async () => {
  for (const close of closers.reverse()) await close().catch(() => undefined);
  await nc?.close();
  await nats?.destroy();
  await clickhouse?.close();
});

test('the controller and the aggregator use exactly the verbs their ServiceAccounts are granted, and the status page only granted reads', { skip: !natsServerAvailable() && 'nats-server is not installed' }, async () => {
  // An administrator's setup, not the workloads': straight to the server.
  const admin = kube.kubeConfig().makeApiClient(CustomObjectsApi);
  // Ready, as the Activity system's controller marks a policy it compiled: the reindex controller uses only Ready ones.
  await applyReadyPolicies(kube.kubeConfig(), [policy() as ActivityPolicy]);

  // As controller/main.ts runs it: the Lease loop, then the controller.
  const kubeConfig = kubeConfigForUrl(asController.url);
  let stopController: (() => Promise<void>) | undefined;
  let election: { stop(): Promise<void> } | undefined;
  const leading = new Promise<void>((ok) => {
    election = startLeaderElection({
      api: kubeConfig.makeApiClient(CoordinationV1Api),
      namespace: NAMESPACE,
      leaseName: 'reindex-controller',
      identity: 'rbac-test',
      retryPeriodMs: 50,
      log: silentLogger,
      onStartedLeading: async () => {
        const controller = await runController({
          kubeConfig,
          clickhouse,
          tables: DEFAULT_TABLES,
          brokerUrl: broker.url,
          signingKey: TEST_SIGNING_KEY,
          namespace: NAMESPACE,
          log: silentLogger,
          windowBatches: 1,
          emit: { minRetryDelayMs: 20, retries: 1, timeoutMs: 5000 },
          resultDeadlineMs: 600_000,
        });
        stopController = () => controller.stop();
        ok();
      },
      onStoppedLeading: async () => undefined,
    });
    closers.push(async () => election?.stop());
  });
  await leading;
  closers.push(async () => stopController?.());

  // One job that succeeds and is deleted by its TTL, one whose window is
  // dead-lettered so it fails: the aggregator's both paths, the controller's
  // whole lifecycle.
  broker.failWindow('rbac-fails', 0);
  await admin.createClusterCustomObject({ group: GROUP, version: VERSION, plural: REINDEXJOB_PLURAL, body: job('rbac-succeeds', { ttlSecondsAfterFinished: 0 }) });
  await waitFor('rbac-succeeds deleted by its TTL', () => !kube.getObject(GROUP, REINDEXJOB_PLURAL, 'rbac-succeeds') && asController.seen.some((a) => a.verb === 'delete'));
  await admin.createClusterCustomObject({ group: GROUP, version: VERSION, plural: REINDEXJOB_PLURAL, body: job('rbac-fails', {}) });
    await waitFor('rbac-fails Failed', () => (kube.getObject(GROUP, REINDEXJOB_PLURAL, 'rbac-fails') as ReindexJob | undefined)?.status?.phase === 'Failed');
  // A couple of Lease renewals.
  await new Promise((ok) => setTimeout(ok, 200));
  await stopController?.();
  await election?.stop();

    const problems = [
    ...rbacProblems('reindex-controller', asController.seen),
    ...rbacProblems('reindex-aggregator', asAggregator.seen),
  ];
  assert.deepEqual(problems, [], `requests seen:\n${describe('controller', asController.seen)}\n${describe('aggregator', asAggregator.seen)}`);

  // The status page reads with the viewer role plus its Role; the viewer
  // role is also for people, so only "every call is granted" applies.
  const asStatusPage = await startRecordingProxy(kube.url);
  closers.push(() => asStatusPage.close());
  const source = kubeJobSource(kubeConfigForUrl(asStatusPage.url), { namespace: NAMESPACE, eventsNamespace: statusPageEnv('EVENTS_NAMESPACE') });
  for (const { metadata } of await source.listJobs()) {
    await source.getJob(metadata.name);
    await source.getPlan(metadata.name);
    await source.listEmitted?.(metadata.name);
    assert.ok((await source.listEvents(metadata.name)).length > 0, 'the status page finds the Events the controller and aggregator recorded');
  }
  const granted = grantsOf('reindex-status-page');
  const denied = unique(asStatusPage.seen).filter((a) => !granted.some((g) => allows(g, a)));
  assert.deepEqual(denied.map(key), [], 'the status page is granted every read it makes');

  // The check is not vacuous: a verb dropped from what the code does shows up as an excess grant.
  assert.ok(rbacProblems('reindex-aggregator', asAggregator.seen.filter((a) => a.verb !== 'patch')).some((p) => /granted patch .* never uses it/.test(p)));

  // The proxies saw what the API server itself recorded, apart from the
  // administrator's setup above (the policy made Ready, two jobs): nothing bypassed them.
  const viaProxies = [...asController.seen, ...asAggregator.seen, ...asStatusPage.seen].map(key).sort();
  const recorded = kube.requests.map((r) => key({ verb: r.verb, group: r.group, resource: r.subresource ? `${r.resource}/${r.subresource}` : r.resource, namespace: r.namespace }));
  for (const adminCall of ['create activitypolicies.activity.miloapis.com', 'patch activitypolicies/status.activity.miloapis.com', 'create reindexjobs.activity.miloapis.com', 'create reindexjobs.activity.miloapis.com']) {
    recorded.splice(recorded.indexOf(adminCall), 1);
  }
  assert.deepEqual(recorded.sort(), viaProxies);
});

/** The status page's env as its Deployment sets it: fieldRef metadata.namespace resolves to where it runs. */
function statusPageEnv(name: string): string {
  const doc = find(manifests, 'Deployment', 'reindex-status-page') as any;
  const entry = doc.spec.template.spec.containers[0].env.find((e: any) => e.name === name);
  return entry.value ?? (entry.valueFrom?.fieldRef?.fieldPath === 'metadata.namespace' ? doc.metadata.namespace : undefined);
}

function envOf(workload: string, name: string): string | undefined {
  const doc = find(manifests, 'Service', workload) as any;
  return doc.spec.template.spec.containers[0].env.find((e: any) => e.name === name)?.value;
}

// -- RBAC evaluation over the manifests -----------------------------------

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };
type Grant = { rule: Rule; namespace?: string };

/** The rules bound to a ServiceAccount: ClusterRoles cluster-wide, Roles in their namespace. */
function grantsOf(serviceAccount: string): Grant[] {
  const grants: Grant[] = [];
  for (const { doc } of manifests) {
    if (doc.kind !== 'ClusterRoleBinding' && doc.kind !== 'RoleBinding') continue;
    const binding = doc as any;
    if (!binding.subjects.some((s: any) => s.kind === 'ServiceAccount' && s.name === serviceAccount && s.namespace === NAMESPACE)) continue;
    const role = find(manifests, binding.roleRef.kind, binding.roleRef.name) as any;
    assert.ok(role, `${binding.metadata.name}: ${binding.roleRef.kind} ${binding.roleRef.name} exists`);
    const namespace = binding.kind === 'RoleBinding' ? binding.metadata.namespace : undefined;
    for (const rule of role.rules as Rule[]) grants.push({ rule, namespace });
  }
  return grants;
}

function allows(grant: Grant, access: Access): boolean {
  const { rule, namespace } = grant;
  if (namespace && access.namespace !== namespace) return false;
  return (
    (rule.apiGroups.includes('*') || rule.apiGroups.includes(access.group)) &&
    (rule.resources.includes('*') || rule.resources.includes(access.resource)) &&
    (rule.verbs.includes('*') || rule.verbs.includes(access.verb))
  );
}

function rbacProblems(serviceAccount: string, seen: Access[]): string[] {
  const grants = grantsOf(serviceAccount);
  const problems: string[] = [];
  for (const access of unique(seen)) {
    if (!grants.some((g) => allows(g, access))) problems.push(`${serviceAccount} calls ${key(access)} but is not granted it`);
  }
  for (const { rule, namespace } of grants) {
    for (const group of rule.apiGroups) {
      for (const resource of rule.resources) {
        for (const verb of rule.verbs) {
          const used = seen.some((a) => a.group === group && a.resource === resource && a.verb === verb && (!namespace || a.namespace === namespace));
          if (!used) problems.push(`${serviceAccount} is granted ${verb} ${resource}${group ? `.${group}` : ''} but never uses it`);
        }
      }
    }
  }
  return problems;
}

function key(a: Access): string {
  return `${a.verb} ${a.resource}${a.group ? `.${a.group}` : ''}${a.namespace ? ` in ${a.namespace}` : ''}`;
}

function unique(seen: Access[]): Access[] {
  return [...new Map(seen.map((a) => [key(a), a])).values()];
}

function describe(who: string, seen: Access[]): string {
  return `${who}: ${unique(seen).map(key).join(', ')}`;
}

// -- recording proxy ------------------------------------------------------

/**
 * A reverse proxy to the API server that records each resource request as
 * RBAC names it (the verb from the method, the path and `watch`). Discovery
 * (/api, /apis, /version) is a non-resource URL every authenticated
 * identity may read (system:discovery), so it is not recorded.
 */
async function startRecordingProxy(target: string): Promise<Recorder> {
  const seen: Access[] = [];
  const proxy = await startForwardingProxy(target, (req) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const path = parseResourcePath(url.pathname, isNamespacedUnlessNamespaceSubresource);
    if (!path) return;
    const resource = path.subresource ? `${path.resource}/${path.subresource}` : path.resource;
    seen.push({ verb: rbacVerb(req.method ?? 'GET', Boolean(path.name), url.searchParams), group: path.group, resource, namespace: path.namespace });
  });
  return { url: proxy.url, seen, close: proxy.close };
}

// -- fixtures -------------------------------------------------------------

async function waitFor(what: string, probe: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 25));
  }
}

function job(name: string, extra: object) {
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'ReindexJob',
    metadata: { name },
    spec: { timeRange: { startTime: iso(BASE), endTime: iso(BASE + HOUR) }, policySelector: { names: ['deployments'] }, config: { batchSize: 100, rateLimit: 1_000_000, parallelism: 1 }, ...extra },
  };
}

function policy() {
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'ActivityPolicy',
    metadata: { name: 'deployments' },
    spec: {
      resource: { apiGroup: 'apps', kind: 'Deployment' },
      auditRules: [{ name: 'updated', match: "audit.verb == 'update'", summary: '{{ actor }} updated deployment {{ audit.objectRef.name }}' }],
    },
  };
}

async function seed(client: ClickHouseClient): Promise<void> {
  const audit = Array.from({ length: 50 }, (_, i) => {
    const at = iso(BASE + i * 60_000);
    return {
      event_json: JSON.stringify(deploymentUpdate(`rbac-${i}`, at, 'web')),
    };
  });
  await client.insert({ table: DEFAULT_TABLES.auditLogs, values: audit, format: 'JSONEachRow' });
}
