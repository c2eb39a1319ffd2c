import { TERMINAL_PHASES, type ReindexJob, type ReindexJobStatus } from '../shared/api/reindex-job.js';
import type { WindowRequested } from '../shared/contracts/window-requested.js';
import type { JobEvent } from '../shared/kube/job-event.js';
import type { Logger } from '../shared/log.js';
import type { Action } from './action.js';
import { decide, type ControllerConfig } from './decide.js';
import { emptyEmissionRecord, type EmissionRecord } from '../shared/contracts/emission-record.js';
import { planWindows, type JobPlan, type TimeRange } from '../shared/contracts/job-plan.js';
import { nextStatus } from './next-status.js';
import { finishedWindows, recordEmissions } from './plan-emission.js';
import type { PlanStore } from './plan-store.js';
import type { Preparation } from './prepare-job.js';
import { windowPayload } from './window-payload.js';

export interface ReconcileDeps {
  now: () => Date;
  config: ControllerConfig;
  /** From the informer cache: level-triggered, so always the latest seen. */
  getJob: (name: string) => ReindexJob | undefined;
  listJobs: () => readonly ReindexJob[];
  plans: PlanStore;
  prepare: (job: ReindexJob, range: TimeRange) => Promise<Preparation>;
  /** Re-reads the job, applies `mutate`, merge-patches /status; retried on 409. */
  updateStatus: (name: string, mutate: (job: ReindexJob) => ReindexJobStatus | undefined) => Promise<ReindexJob | undefined>;
  recordEvent: (job: ReindexJob, event: JobEvent) => Promise<void>;
  emit: (payload: WindowRequested) => Promise<void>;
  deleteJob: (name: string) => Promise<void>;
  log: Logger;
}

/** Look again after this many ms (0 = right away), or not at all (undefined). */
export type ReconcileResult = { requeueAfterMs?: number };

export async function reconcile(name: string, deps: ReconcileDeps): Promise<ReconcileResult> {
  const job = deps.getJob(name);
  if (!job) return {}; // deleted: absence is the signal
  const log = deps.log.child({ reindexJob: name });
  // A finished job never needs its plan again: drop it instead of reading it.
  const finished = job.status?.phase !== undefined && TERMINAL_PHASES.has(job.status.phase);
  if (finished) deps.plans.forget(job.metadata.uid ?? '');
  const { plan, windows, record } = finished ? { plan: undefined, windows: undefined, record: emptyEmissionRecord(job.metadata.uid ?? '') } : await deps.plans.load(job);
  const actions = decide({ job, otherJobs: deps.listJobs(), now: deps.now(), plan, windows, record, config: deps.config });
  let result: ReconcileResult = {};
  for (const action of actions) {
    const next = await perform(action, job, plan, record, deps, log);
    if (next.requeueAfterMs !== undefined) result = { requeueAfterMs: Math.min(next.requeueAfterMs, result.requeueAfterMs ?? Infinity) };
    if (next.stop) break;
  }
  return result;
}

type Performed = ReconcileResult & { stop?: boolean };

/** Window events posted to the broker at once within one pass. */
const EMIT_CONCURRENCY = 16;

async function perform(action: Action, job: ReindexJob, plan: JobPlan | undefined, record: EmissionRecord, deps: ReconcileDeps, log: Logger): Promise<Performed> {
  const name = job.metadata.name;
  switch (action.type) {
    case 'prepare': {
      const prepared = await deps.prepare(job, action.resolvedTimeRange);
      if (!prepared.ok) return perform({ type: 'fail', reason: prepared.reason, message: prepared.message, policies: prepared.policies }, job, plan, record, deps, log);
      await deps.plans.save(job, prepared.plan);
      const windows = planWindows(prepared.plan);
      log.info({ windows: windows.length, events: windows.totalEvents }, 'Planned ReindexJob windows');
      return { requeueAfterMs: 0 }; // the next pass sees the plan and starts
    }
    case 'emit': {
      if (!plan) return {};
      const sent: [number, number, number, number][] = [];
      let failure: unknown;
      // Several posts at once: one at a time, a batch of 256 waits on 256 round trips.
      const queue = [...action.windows];
      const post = async () => {
        for (let emission = queue.shift(); emission && failure === undefined; emission = queue.shift()) {
          try {
            // Emit before recording: a crash in between re-emits on the next
            // pass, and the same id lets recipients drop the duplicate.
            await deps.emit(windowPayload(job, plan, emission));
          } catch (err) {
            failure ??= err;
            return;
          }
          sent.push([emission.window.index, deps.now().getTime(), emission.attempt, emission.slot]);
          const fields = { window: emission.window.index, events: emission.window.expectedEvents, rateLimit: emission.rateLimit, attempt: emission.attempt };
          if (emission.attempt > 1) log.warn(fields, 'Emitted reindex window again: no result within the deadline');
          else log.debug(fields, 'Emitted reindex window');
        }
      };
      await Promise.all(Array.from({ length: Math.min(EMIT_CONCURRENCY, action.windows.length) }, post));
      // One write per pass, of a record bounded by parallelism; a window not sent stays for the next pass.
      if (sent.length > 0) await deps.plans.saveRecord(job, recordEmissions(record, finishedWindows(job.status), sent));
      if (sent.length > 0) log.info({ windows: sent.length, first: sent[0][0], last: sent[sent.length - 1][0] }, 'Emitted reindex windows');
      if (failure !== undefined) {
        log.error({ err: failure }, 'Failed to emit reindex window');
        return { requeueAfterMs: 5_000, stop: true };
      }
      return {};
    }
    case 'deleteJob':
      await deps.deleteJob(name);
      deps.plans.forget(job.metadata.uid ?? '');
      log.info({}, 'Deleted finished ReindexJob after its TTL');
      return { stop: true };
    case 'requeueAfter':
      return { requeueAfterMs: action.ms };
    default: {
      let changed = false;
      const updated = await deps.updateStatus(name, (fresh) => {
        if (fresh.metadata.uid !== job.metadata.uid) return undefined;
        const status = nextStatus(fresh.status, action, { now: deps.now(), generation: fresh.metadata.generation ?? 0, plan });
        changed = status !== undefined;
        return status;
      });
      if (!updated || !changed) return {};
      const event = eventFor(action);
      if (event) await deps.recordEvent(updated, event);
      if (action.type === 'fail') log.warn({ reason: action.reason, message: action.message }, 'Failed ReindexJob');
      return action.type === 'fail' ? { stop: true } : {};
    }
  }
}

function eventFor(action: Action): JobEvent | undefined {
  switch (action.type) {
    case 'start':
      return { reason: 'Started', message: 'started processing windows', type: 'Normal' };
    case 'fail':
      return { reason: 'Failed', message: action.message, type: 'Warning' };
    case 'complete':
      return { reason: 'Completed', message: action.message, type: 'Normal' };
    case 'suspend':
      return { reason: 'Suspended', message: action.message, type: 'Normal' };
    case 'resume':
      return { reason: 'Resumed', message: action.message, type: 'Normal' };
    case 'stall':
      return { reason: 'Stalled', message: action.message, type: 'Warning' };
    case 'unstall':
      return { reason: 'Unstalled', message: action.message, type: 'Normal' };
    default:
      return undefined;
  }
}
