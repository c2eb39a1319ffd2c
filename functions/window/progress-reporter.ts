// Sends a window's running counts to the Broker as window.progress events
// (DESIGN.md §4.2). Best effort by design: one try, a short timeout, and a
// failure only logged, so a slow or absent Broker never slows or fails the
// window; the window's result is what counts.
import { CloudEvent } from 'cloudevents';
import { progressId, WINDOW_PROGRESS } from '../../shared/contracts/cloud-event-types.js';
import { windowFunctionEvent } from '../../shared/contracts/window-function-event.js';
import type { WindowProgress } from '../../shared/contracts/window-progress.js';
import { postCloudEvent } from '../../shared/http/post-cloud-event.js';
import type { Logger } from '../../shared/log.js';
import { signEvent } from '../../shared/signing/event-signature.js';

export interface ProgressReporterOptions {
  /** The Broker's ingress (BROKER_URL). */
  brokerUrl: string;
  /** Signs like window.completed, so the aggregator accepts it (REINDEX_SIGNING_KEY). */
  signingKey: string;
  log: Logger;
}

const REPORT_TIMEOUT_MS = 2_000;

export type ReportProgress = (progress: WindowProgress) => Promise<void>;

function progressEvent(data: WindowProgress): CloudEvent<WindowProgress> {
  return windowFunctionEvent(WINDOW_PROGRESS, progressId(data.job.uid, data.window.index, data.processedEvents), data);
}

/** Never rejects: a report that does not arrive is logged and forgotten. */
export function createProgressReporter(opts: ProgressReporterOptions): ReportProgress {
  return async (data) => {
    try {
      await postCloudEvent(opts.brokerUrl, signEvent(progressEvent(data), opts.signingKey), REPORT_TIMEOUT_MS);
    } catch (err) {
      opts.log.debug({ err, reindexJob: data.job.name, window: data.window.index }, 'Failed to report reindex window progress');
    }
  };
}
