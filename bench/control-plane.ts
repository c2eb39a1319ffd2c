// The control plane at scale (issue 18): the real controller, local broker
// (routing by knative/ Triggers), aggregator and Kubernetes API stand-in,
// over a window function that answers at once, so only the control plane is
// timed. No ClickHouse: the controller is handed a plan of the chosen size,
// and nothing here loads chDB. Reports wall time, windows/s, API requests
// by verb, bytes written per object and peak RSS.
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { applyReadyPolicies } from '../local/apply-ready-policies.js';
import { loadKnativeEventing } from '../local/broker/load-knative-config.js';
import { startLocalBroker } from '../local/broker/local-broker.js';
import { startKubeApiServer } from '../local/kube-api-server.js';
import { loadProjectCrds } from '../local/kube-api-server/load-project-crds.js';
import type { ActivityPolicy } from '../shared/api/activity-policy.js';
import { GROUP, REINDEXJOB_KIND, REINDEXJOB_PLURAL, TERMINAL_PHASES, VERSION, type ReindexJob } from '../shared/api/reindex-job.js';
import { silentLogger, type Logger } from '../shared/log.js';
import { startApiTrafficProxy, type ObjectWrites } from './api-traffic-proxy.js';
import { startStandInWindowFunction } from './stand-in-window-function.js';
import type { ControllerProcessParams } from './control-plane-controller.js';
import { deployedNodeOptions } from './deployed-node-options.js';
import { startLoggedProcess } from './logged-process.js';

const AGGREGATOR_MAIN = new URL('../functions/aggregator/main.ts', import.meta.url);
const CONTROLLER_PROCESS = new URL('./control-plane-controller.ts', import.meta.url);

const KNATIVE_URL = new URL('../knative/', import.meta.url);
const KNATIVE_DIR = fileURLToPath(KNATIVE_URL);
const NAMESPACE = 'activity-system';
const DAY = 86_400_000;

export interface ControlPlaneOptions {
  windows: number;
  parallelism?: number;
  eventsPerWindow?: number;
  /** The aggregator's status write interval (its default: 1000 ms). */
  statusWriteIntervalMs?: number;
  /** Re-emission deadline; default long enough never to fire. */
  resultDeadlineMs?: number;
  /** Caps each child's V8 old space (MiB); default: the NODE_OPTIONS of its manifest (knative/), as deployed. */
  maxOldSpaceMb?: number;
  /** Windows whose first result is lost (answered without a reply). */
  loseFirstResultOf?: number[];
  log?: Logger;
  onProgress?: (job: ReindexJob) => void;
}

export interface ObjectGroup extends ObjectWrites {
  /** reindexjob, plan ConfigMap, emission ConfigMap, Events, Lease… */
  object: string;
  objects: number;
}

export interface ControlPlaneResult {
  windows: number;
  parallelism: number;
  wallSeconds: number;
  windowsPerSecond: number;
  job: ReindexJob;
  /** Requests the control plane made, by verb; and the 409s among them. */
  requests: Record<string, number>;
  conflicts: Record<string, number>;
  written: ObjectGroup[];
  bytesWritten: number;
  bytesPerWindow: number;
  largestObjectBytes: number;
  statusBytes: number;
  /** Window requests the stand-in saw, and windows it saw more than once. */
  windowRequests: number;
  windowsRequestedAgain: number;
  /** The first 100 windows requested more than once. */
  requestedAgain: number[];
  /** Peak RSS of the controller's and the aggregator's processes (kernel high-water mark), and of this one (API server, broker, stand-in). */
  peakRssMb: { controller: number; aggregator: number; harness: number };
}

const POLICY: ActivityPolicy = {
  apiVersion: `${GROUP}/${VERSION}`,
  kind: 'ActivityPolicy',
  metadata: { name: 'deployments' },
  spec: { resource: { apiGroup: 'apps', kind: 'Deployment' }, auditRules: [{ name: 'any', match: 'true', summary: '{{ actor }} changed a deployment' }] },
} as ActivityPolicy;

function groupOf(key: string, jobName: string): string {
  const [resource, name] = key.split('/');
  if (resource === 'reindexjobs') return 'ReindexJob (status)';
  if (resource === 'configmaps' && name === `reindexjob-${jobName}`) return 'plan ConfigMap';
  if (resource === 'configmaps' && name === `reindexjob-${jobName}-emission`) return 'emission record ConfigMap';
  if (resource === 'events') return 'Events';
  return resource;
}

export async function runControlPlane(opts: ControlPlaneOptions): Promise<ControlPlaneResult> {
  const log = opts.log ?? silentLogger;
  const parallelism = opts.parallelism ?? 256;
  const events = opts.eventsPerWindow ?? 1000;
  const closers: (() => Promise<unknown>)[] = [];
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50);
  try {
    const kube = await startKubeApiServer({ crds: await loadProjectCrds() });
    closers.push(() => kube.close());
    // Setup goes straight to the server; the control plane's traffic through the counting proxy.
    await applyReadyPolicies(kube.kubeConfig(), [POLICY]);
    const traffic = await startApiTrafficProxy(kube.url);
    closers.push(() => traffic.close());

    // One key per run, shared by the controller, the stand-in and the aggregator, as the Secret is on a cluster.
    const signingKey = randomBytes(32).toString('base64url');
    const windowFunction = await startStandInWindowFunction({ loseFirstResultOf: new Set(opts.loseFirstResultOf ?? []), signingKey });
    closers.push(() => windowFunction.close(0));
    // Each process with the heap it is deployed with (or the one asked for).
    const nodeFlags = async (manifest: string) =>
      opts.maxOldSpaceMb ? [`--max-old-space-size=${opts.maxOldSpaceMb}`] : (await deployedNodeOptions(new URL(manifest, KNATIVE_URL))).split(/\s+/).filter(Boolean);
    const aggregatorFlags = await nodeFlags('aggregator-service.yaml');
    const controllerFlags = await nodeFlags('controller-deployment.yaml');
    // The aggregator as deployed: its own main, from the environment.
    const aggregator = await startLoggedProcess(
      AGGREGATOR_MAIN,
      [],
      { PORT: '0', METRICS_PORT: '0', KUBE_API_URL: traffic.url, EVENTS_NAMESPACE: NAMESPACE, REINDEX_SIGNING_KEY: signingKey, STATUS_WRITE_INTERVAL_MS: String(opts.statusWriteIntervalMs ?? 1000) },
      'Started reindex aggregator',
      aggregatorFlags,
    );
    closers.push(() => aggregator.stop());
    const broker = await startLocalBroker({
      ...(await loadKnativeEventing(KNATIVE_DIR)),
      subscriberUrls: { 'reindex-window': windowFunction.url, 'reindex-aggregator': aggregator.url! },
      log,
      // A Knative Broker delivers each event on its own; the stand-in's default cap (32) would be the bottleneck.
      concurrency: Math.max(64, parallelism * 2),
    });
    closers.push(() => broker.close());
    const params: ControllerProcessParams = {
      kubeUrl: traffic.url,
      brokerUrl: broker.ingressUrl(NAMESPACE, 'activity-reindex'),
      signingKey,
      namespace: NAMESPACE,
      windows: opts.windows,
      eventsPerWindow: events,
      resultDeadlineMs: opts.resultDeadlineMs ?? 24 * 3600_000,
    };
    const controller = await startLoggedProcess(CONTROLLER_PROCESS, [JSON.stringify(params)], {}, 'Started ReindexJob controller', controllerFlags);
    closers.push(() => controller.stop());

    const name = 'control-plane-bench';
    const now = Date.now();
    const started = performance.now();
    await kube.kubeConfig().makeApiClient(CustomObjectsApi).createClusterCustomObject({
      group: GROUP,
      version: VERSION,
      plural: REINDEXJOB_PLURAL,
      body: {
        apiVersion: `${GROUP}/${VERSION}`,
        kind: REINDEXJOB_KIND,
        metadata: { name },
        spec: {
          timeRange: { startTime: new Date(now - 59 * DAY).toISOString(), endTime: new Date(now - 3600_000).toISOString() },
          config: { parallelism, rateLimit: 1_000_000, batchSize: 1000 },
        },
      },
    });
    let job: ReindexJob | undefined;
    for (;;) {
      job = kube.getObject(GROUP, REINDEXJOB_PLURAL, name) as ReindexJob | undefined;
      if (!job) throw new Error(`ReindexJob ${name} disappeared`);
      opts.onProgress?.(job);
      if (TERMINAL_PHASES.has(job.status?.phase ?? 'Pending')) break;
      await delay(50);
    }
    const wallSeconds = (performance.now() - started) / 1000;
    // Let the last coalesced writes and Events land before counting, and the
    // controller observe the finish (it clears Stalled after the aggregator's last fold).
    await broker.idle();
    await delay(500);
    for (let waited = 0; waited < 15_000 && stalledTrue(job); waited += 100) {
      await delay(100);
      job = (kube.getObject(GROUP, REINDEXJOB_PLURAL, name) as ReindexJob | undefined) ?? job;
    }
    const peakRssMb = { controller: controller.peakRssMb(), aggregator: aggregator.peakRssMb(), harness: peakRss / 1024 / 1024 };

    const groups = new Map<string, ObjectGroup>();
    for (const [key, w] of traffic.objects) {
      const object = groupOf(key, name);
      const g = groups.get(object) ?? { object, objects: 0, writes: 0, bytes: 0, maxBytes: 0 };
      g.objects += 1;
      g.writes += w.writes;
      g.bytes += w.bytes;
      g.maxBytes = Math.max(g.maxBytes, w.maxBytes);
      groups.set(object, g);
    }
    const written = [...groups.values()].sort((a, b) => b.bytes - a.bytes);
    const bytesWritten = written.reduce((n, g) => n + g.bytes, 0);
    const requests = [...windowFunction.requests.values()];
    return {
      windows: opts.windows,
      parallelism,
      wallSeconds,
      windowsPerSecond: opts.windows / wallSeconds,
      job,
      requests: { ...traffic.verbs },
      conflicts: { ...traffic.conflicts },
      written,
      bytesWritten,
      bytesPerWindow: bytesWritten / opts.windows,
      largestObjectBytes: Math.max(...written.map((g) => g.maxBytes)),
      statusBytes: Buffer.byteLength(JSON.stringify(job.status ?? {})),
      windowRequests: requests.reduce((n, c) => n + c, 0),
      windowsRequestedAgain: requests.filter((c) => c > 1).length,
      requestedAgain: [...windowFunction.requests].filter(([, c]) => c > 1).map(([i]) => i).sort((a, b) => a - b).slice(0, 100),
      peakRssMb,
    };
  } finally {
    clearInterval(sampler);
    for (const close of closers.reverse()) await close().catch(() => undefined);
  }
}

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

export function formatControlPlane(r: ControlPlaneResult): string {
  const p = r.job.status?.progress;
  const lines = [
    `control plane: ${r.windows} windows at parallelism ${r.parallelism}: ${r.job.status?.phase} in ${r.wallSeconds.toFixed(1)} s (${r.windowsPerSecond.toFixed(1)} windows/s)`,
    `  counted: ${r.job.status?.windows?.completed} completed, ${r.job.status?.windows?.failed} failed (${r.job.status?.windows?.completedRanges}); events ${p?.processedEvents}/${p?.totalEvents}; window requests ${r.windowRequests} (${r.windowsRequestedAgain} windows again)`,
    `  API requests: ${Object.entries(r.requests).sort().map(([v, n]) => `${v} ${n}`).join(', ')}; 409s: ${Object.entries(r.conflicts).map(([v, n]) => `${v} ${n}`).join(', ') || 'none'}`,
    `  bytes written: ${kib(r.bytesWritten)} (${r.bytesPerWindow.toFixed(0)} bytes a window); largest object ${kib(r.largestObjectBytes)}; final status ${kib(r.statusBytes)}`,
    ...r.written.map((g) => `    ${g.object}: ${g.objects} object(s), ${g.writes} writes, ${kib(g.bytes)}, largest ${kib(g.maxBytes)}`),
    `  peak RSS: controller ${r.peakRssMb.controller.toFixed(0)} MiB, aggregator ${r.peakRssMb.aggregator.toFixed(0)} MiB (each its own process, no chDB); API server + broker + stand-in ${r.peakRssMb.harness.toFixed(0)} MiB`,
  ];
  return lines.join('\n');
}

function stalledTrue(job: ReindexJob): boolean {
  return job.status?.conditions?.some((c) => c.type === 'Stalled' && c.status === 'True') ?? false;
}
