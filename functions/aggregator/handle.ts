// One window result: parse it, fold it into the job's status with a merge
// patch guarded by resourceVersion (re-read and re-applied on 409), then
// record the Kubernetes Events of the write that won. The reply carries no
// event: the aggregator is the end of the flow.
import type { CloudEventV1 } from 'cloudevents';
import { updateJobStatus } from '../../shared/kube/reindex-job-client.js';
import type { JobEvent } from '../../shared/kube/job-event.js';
import { TERMINAL_PHASES, type ReindexJob } from '../../shared/api/reindex-job.js';
import { reduceWindowResult, type DropReason } from './reduce.js';
import { toWindowResult } from './window-result.js';
import type { AggregatorDeps } from './aggregator-deps.js';

export interface HandleOutcome {
  job?: ReindexJob;
  events: JobEvent[];
  dropped?: DropReason | 'job-gone';
}

export async function handle(event: CloudEventV1<unknown>, deps: AggregatorDeps): Promise<HandleOutcome> {
  const result = toWindowResult(event);
  const { job: ref, window } = result.data;
  const log = deps.log.child({ reindexJob: ref.name, window: window.index });
  if (result.kind === 'dead-letter') deps.metrics.deadLetters.inc({ source: window.source });

  // The mutation runs again on every 409; only the last run's events belong to the write that landed.
  let reduction: ReturnType<typeof reduceWindowResult> | undefined;
  const job = await updateJobStatus(deps.jobs, ref.name, (current) => {
    reduction = reduceWindowResult(current.status ?? {}, result, {
      now: deps.now?.() ?? new Date(),
      maxErrors: current.spec.config?.maxErrors,
      generation: current.metadata.generation ?? 0,
      jobUid: current.metadata.uid,
    });
    return reduction.dropped ? undefined : reduction.status;
  });

  if (!job || !reduction) {
    deps.metrics.resultsDropped.inc({ reason: 'job-gone' });
    log.info({ kind: result.kind }, 'Dropped window result for missing ReindexJob');
    return { events: [], dropped: 'job-gone' };
  }
  if (reduction.dropped) {
    deps.metrics.resultsDropped.inc({ reason: reduction.dropped });
    log.info({ kind: result.kind, reason: reduction.dropped }, 'Dropped window result for ReindexJob');
    return { job, events: [], dropped: reduction.dropped };
  }

  if (result.kind === 'completed') deps.metrics.windowsCompleted.inc({ source: window.source });
  else deps.metrics.windowsFailed.inc({ source: window.source, reason: result.kind === 'failed' ? result.data.reason : 'DeadLetter' });
  const phase = job.status?.phase;
  if (phase && TERMINAL_PHASES.has(phase)) deps.metrics.jobsFinished.inc({ phase });
  log.info({ kind: result.kind, phase, percent: job.status?.progress?.percent }, 'Folded window result into ReindexJob');
  for (const e of reduction.events) await deps.recordEvent(job, e);
  return { job, events: reduction.events };
}
