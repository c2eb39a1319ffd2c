import { HTTP } from 'cloudevents';
import { windowEvent } from '../controller/emit-window.js';
import { WINDOW_COMPLETED } from '../shared/contracts/cloud-event-types.js';
import { WindowCompleted } from '../shared/contracts/window-completed.js';
import type { PolicySnapshot, WindowRequested, WindowSpec } from '../shared/contracts/window-requested.js';
import { runWindows } from './run-windows.js';

export interface BenchJob {
  name: string;
  uid: string;
  batchSize: number;
  policies: PolicySnapshot[];
  /** Events/s each window may use; high enough not to pace the benchmark. */
  rateLimit: number;
  /** The window function's REINDEX_SIGNING_KEY: windows are signed as the controller signs them. */
  signingKey: string;
}

export interface WindowTotals {
  processedEvents: number;
  activitiesGenerated: number;
  errors: number;
}

/**
 * Plays the controller and the broker for one job: POSTs each window's
 * window.requested CloudEvent (binary mode, as the broker delivers it) to
 * the window function, at most `parallelism` at once, and adds up the
 * window.completed replies. Any other answer fails the run.
 */
export async function benchWindows(url: string, job: BenchJob, windows: WindowSpec[], parallelism: number): Promise<WindowTotals> {
  const totals: WindowTotals = { processedEvents: 0, activitiesGenerated: 0, errors: 0 };
  await runWindows(windows, parallelism, async (window) => {
    const data: WindowRequested = {
      job: { name: job.name, uid: job.uid, generation: 1 },
      window,
      batchSize: job.batchSize,
      dryRun: false,
      rateLimit: job.rateLimit,
      policies: job.policies,
      discovery: {},
    };
    const message = HTTP.binary(windowEvent(data, job.signingKey));
    const res = await fetch(url, { method: 'POST', headers: message.headers as Record<string, string>, body: message.body as string });
    const body = await res.text();
    if (res.status !== 200 || res.headers.get('ce-type') !== WINDOW_COMPLETED) {
      throw new Error(`window ${window.index} answered ${res.status} ${res.headers.get('ce-type') ?? ''}: ${body.slice(0, 500)}`);
    }
    const completed = WindowCompleted.parse(JSON.parse(body));
    totals.processedEvents += completed.processedEvents;
    totals.activitiesGenerated += completed.activitiesGenerated;
    totals.errors += completed.errors;
  });
  return totals;
}
