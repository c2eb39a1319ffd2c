import { CloudEvent } from 'cloudevents';
import pRetry from 'p-retry';
import {
  EXT_JOB,
  EXT_WINDOW,
  WINDOW_REQUESTED,
  controllerSource,
  requestedId,
  windowSubject,
} from '../shared/contracts/cloud-event-types.js';
import type { WindowRequested } from '../shared/contracts/window-requested.js';
import { postCloudEvent } from '../shared/http/post-cloud-event.js';
import { signEvent } from '../shared/signing/event-signature.js';

export interface EmitOptions {
  brokerUrl: string;
  /** REINDEX_SIGNING_KEY: the window function refuses (401) a window without this signature. */
  signingKey: string;
  /** Per attempt. */
  timeoutMs?: number;
  retries?: number;
  minRetryDelayMs?: number;
}

/**
 * The signed CloudEvent for one window: id and subject are stable, so a
 * re-emission is a duplicate (and carries the same signature).
 */
export function windowEvent(data: WindowRequested, signingKey: string): CloudEvent<WindowRequested> {
  const event = new CloudEvent<WindowRequested>({
    specversion: '1.0',
    type: WINDOW_REQUESTED,
    source: controllerSource(data.job.name),
    id: requestedId(data.job.uid, data.window.index),
    subject: windowSubject(data.job.name, data.window.index),
    datacontenttype: 'application/json',
    [EXT_JOB]: data.job.name,
    [EXT_WINDOW]: data.window.index,
    data,
  });
  return signEvent(event, signingKey);
}

/**
 * POSTs a window event to the broker in binary mode. Any non-2xx answer is a
 * failure; failures are retried with backoff, each attempt under a timeout.
 */
export async function emitWindow(data: WindowRequested, options: EmitOptions): Promise<void> {
  const event = windowEvent(data, options.signingKey);
  await pRetry(
    async () => {
      try {
        await postCloudEvent(options.brokerUrl, event, options.timeoutMs ?? 10_000);
      } catch (err) {
        throw new Error(`window ${data.window.index}: ${(err as Error).message}`, { cause: err });
      }
    },
    { retries: options.retries ?? 4, minTimeout: options.minRetryDelayMs ?? 200, factor: 2 },
  );
}
