// One window result: parse it and hand it to the status writer, which folds
// it into the job's status together with the results arriving about the same
// time (status-writer.ts) and records the Kubernetes Events of the write.
// The reply carries no event: the aggregator is the end of the flow.
import type { CloudEventV1 } from 'cloudevents';
import { WINDOW_PROGRESS } from '../../shared/contracts/cloud-event-types.js';
import { WindowProgress } from '../../shared/contracts/window-progress.js';
import { parseEventData, toWindowResult } from './window-result.js';
import type { AggregatorDeps } from './aggregator-deps.js';
import type { Folded } from './status-writer.js';

export async function handle(event: CloudEventV1<unknown>, deps: AggregatorDeps): Promise<Folded> {
  if (event.type === WINDOW_PROGRESS) {
    // A running window's counts so far, folded as in-flight progress through
    // the same writer, so reports cost no extra status writes of their own.
    const report = parseEventData(WindowProgress, event);
    return deps.status.submit(report.job.name, { kind: 'progress', report });
  }
  const result = toWindowResult(event);
  const { job: ref, window } = result.data;
  const log = deps.log.child({ reindexJob: ref.name, window: window.index });
  if (result.kind === 'dead-letter') deps.metrics.deadLetters.inc({ source: window.source });

  const folded = await deps.status.submit(ref.name, { kind: 'result', result });
  if (folded.dropped) {
    deps.metrics.resultsDropped.inc({ reason: folded.dropped });
    log.info({ kind: result.kind, reason: folded.dropped }, 'Dropped window result for ReindexJob');
    return folded;
  }
  if (result.kind === 'completed') deps.metrics.windowsCompleted.inc({ source: window.source });
  else deps.metrics.windowsFailed.inc({ source: window.source, reason: result.kind === 'failed' ? result.data.reason : 'DeadLetter' });
  const phase = folded.job?.status?.phase;
  if (phase && folded.finishedJob) deps.metrics.jobsFinished.inc({ phase });
  log.debug({ kind: result.kind, phase, percent: folded.job?.status?.progress?.percent }, 'Folded window result into ReindexJob');
  return folded;
}
