import type { ClickHouseClient } from '@clickhouse/client';
import {
  CoreV1Api,
  CustomObjectsApi,
  EventsV1Api,
  KubeConfig,
  ListWatch,
  Watch,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';
import type { ActivityPolicy } from '../shared/api/activity-policy.js';
import { ACTIVITYPOLICY_PLURAL, GROUP, REINDEXJOB_PLURAL, TERMINAL_PHASES, VERSION, type ReindexJob } from '../shared/api/reindex-job.js';
import type { SourceTables } from '../shared/clickhouse/source-tables.js';
import { createEventRecorder } from '../shared/kube/record-event.js';
import { statusCode, updateJobStatus } from '../shared/kube/reindex-job-client.js';
import type { Logger } from '../shared/log.js';
import type { TimeRange } from '../shared/contracts/job-plan.js';
import type { WindowSpec } from '../shared/contracts/window-requested.js';
import { compilePolicies } from '../shared/policy/policy-engine.js';
import { discoveryTable } from './discovery-table.js';
import { emitWindow, type EmitOptions } from './emit-window.js';
import { kubeGetJson } from './kube-get-json.js';
import { planJobWindows } from './plan-job-windows.js';
import { createPlanStore } from './plan-store.js';
import { prepareJob } from './prepare-job.js';
import { reconcile, type ReconcileDeps } from './reconcile.js';
import { DEFAULT_WINDOW_BATCHES, windowTargetEvents } from './window-target.js';
import { createWorkQueue } from './work-queue.js';

/** Half the window function's 600 s Knative timeout: room for a slow ClickHouse or a halved rateLimit. */
export const DEFAULT_WINDOW_BUDGET_SECONDS = 300;

export interface ControllerDeps {
  kubeConfig: KubeConfig;
  /** Where windows are planned from bucket counts, unless `planWindows` is given. */
  clickhouse?: ClickHouseClient;
  tables?: SourceTables;
  /** Plans windows without ClickHouse: the control-plane bench gives a plan of a chosen size. */
  planWindows?: (range: TimeRange, targetEvents: number) => Promise<WindowSpec[]>;
  brokerUrl: string;
  /** REINDEX_SIGNING_KEY: every window event is signed with it. */
  signingKey: string;
  /** Where plan ConfigMaps go. */
  namespace: string;
  /**
   * Where Kubernetes Events about jobs go (default `default`): a real API
   * server refuses an Event about a cluster-scoped object elsewhere but kube-system.
   */
  eventsNamespace?: string;
  log: Logger;
  maxConcurrentJobs?: number;
  retentionDays?: number;
  clock?: () => Date;
  /** Windows hold at most batchSize × windowBatches events... */
  windowBatches?: number;
  /** ...and no more than their rate share processes in this many seconds (window-target.ts). */
  windowBudgetSeconds?: number;
  /** An emitted window with no result after this long is emitted again: resultDeadlineMs() of the delivery settings. */
  resultDeadlineMs: number;
  emit?: Omit<EmitOptions, 'brokerUrl' | 'signingKey'>;
  /** Delay before re-listing after the watch failed. */
  rewatchDelayMs?: number;
  /** Told every job after any change: main.ts keeps the jobs-by-phase gauge with it. */
  onJobsChanged?: (jobs: readonly ReindexJob[]) => void;
}

export interface RunningController {
  stop(): Promise<void>;
}

const JOBS_PATH = `/apis/${GROUP}/${VERSION}/${REINDEXJOB_PLURAL}`;

/**
 * Lists and watches ReindexJobs and reconciles each one through a work queue.
 * Resolves once the first list is in, so callers can create jobs right away.
 */
export async function runController(deps: ControllerDeps): Promise<RunningController> {
  const { kubeConfig, log } = deps;
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const now = deps.clock ?? (() => new Date());
  const windowBatches = deps.windowBatches ?? DEFAULT_WINDOW_BATCHES;
  const windowBudgetSeconds = deps.windowBudgetSeconds ?? DEFAULT_WINDOW_BUDGET_SECONDS;
  const { clickhouse, tables } = deps;
  const planWindows =
    deps.planWindows ??
    (clickhouse && tables
      ? (range: TimeRange, targetEvents: number) => planJobWindows({ clickhouse, tables }, range, targetEvents)
      : undefined);
  if (!planWindows) throw new Error('runController needs clickhouse and tables, or planWindows');

  const listJobs = async () =>
    (await custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: REINDEXJOB_PLURAL })) as KubernetesListObject<KubernetesObject>;
  // Custom objects arrive as plain JSON (timestamps stay strings), hence the casts to ReindexJob.
  const watched = new ListWatch<KubernetesObject>(JOBS_PATH, new Watch(kubeConfig), listJobs, false);
  const informer = {
    get: (name: string) => watched.get(name) as ReindexJob | undefined,
    list: () => watched.list() as unknown as readonly ReindexJob[],
  };
  const plans = createPlanStore(core, deps.namespace, log);
  const recordEvent = createEventRecorder({
    api: kubeConfig.makeApiClient(EventsV1Api),
    namespace: deps.eventsNamespace ?? 'default',
    controller: 'reindex-controller',
    instance: process.env.POD_NAME ?? 'reindex-controller',
    log,
  });

  const reconcileDeps: ReconcileDeps = {
    now,
    config: {
      maxConcurrentJobs: deps.maxConcurrentJobs ?? 1,
      retentionDays: deps.retentionDays ?? 60,
      resultDeadlineMs: deps.resultDeadlineMs,
    },
    getJob: (name) => informer.get(name),
    listJobs: () => informer.list(),
    plans,
    prepare: (job, range) =>
      prepareJob(job, range, {
        listPolicies: async () =>
          ((await custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: ACTIVITYPOLICY_PLURAL })) as KubernetesListObject<ActivityPolicy>)
            .items,
        discoveryTable: () => discoveryTable((path) => kubeGetJson(kubeConfig, path), log),
        compilePolicies: (policies, discovery) => void compilePolicies(policies, discovery),
        planWindows: (timeRange, settings) => planWindows(timeRange, windowTargetEvents({ ...settings, windowBatches, windowBudgetSeconds })),
      }),
    updateStatus: (name, mutate) => updateJobStatus(custom, name, mutate),
    recordEvent: (job, event) => recordEvent(job, event),
    emit: (payload) => emitWindow(payload, { brokerUrl: deps.brokerUrl, signingKey: deps.signingKey, ...deps.emit }),
    deleteJob: async (name) => {
      try {
        await custom.deleteClusterCustomObject({ group: GROUP, version: VERSION, plural: REINDEXJOB_PLURAL, name });
      } catch (err) {
        if (statusCode(err) !== 404) throw err;
      }
    },
    log,
  };

  const queue = createWorkQueue(async (name) => {
    try {
      const { requeueAfterMs } = await reconcile(name, reconcileDeps);
      if (requeueAfterMs !== undefined) queue.addAfter(name, requeueAfterMs);
    } catch (err) {
      log.error({ err, reindexJob: name }, 'Failed to reconcile ReindexJob');
      queue.addAfter(name, 2_000);
    }
  });

  // Admission depends on the other jobs, so any change looks at every job
  // that has not finished; there are few of them.
  const enqueueActive = () => {
    for (const job of informer.list()) {
      if (!TERMINAL_PHASES.has(job.status?.phase ?? 'Pending') || job.spec.ttlSecondsAfterFinished !== undefined) queue.add(job.metadata.name);
    }
  };
  const onChange = (job: ReindexJob) => {
    queue.add(job.metadata.name);
    enqueueActive();
    deps.onJobsChanged?.(informer.list());
  };
  watched.on('add', (job) => onChange(job as unknown as ReindexJob));
  watched.on('update', (job) => onChange(job as unknown as ReindexJob));
  watched.on('delete', (job) => {
    plans.forget(job.metadata?.uid ?? '');
    enqueueActive();
    deps.onJobsChanged?.(informer.list());
  });
  let stopped = false;
  // ListWatch re-lists by itself on 410 Gone and re-watches when the stream
  // ends; any other error stops it, so start it again after a pause.
  watched.on('error', (err) => {
    if (stopped) return;
    log.warn({ err }, 'Lost ReindexJob watch; re-listing');
    setTimeout(() => {
      if (!stopped) watched.start().catch(() => undefined);
    }, deps.rewatchDelayMs ?? 1_000);
  });
  await watched.start();
  log.info({ jobs: informer.list().length }, 'Started ReindexJob controller');

  return {
    async stop() {
      stopped = true;
      await watched.stop();
      await queue.shutDown();
    },
  };
}
