import type { WindowSpec } from '../shared/contracts/window-requested.js';
import { demoPolicies } from '../shared/demo/demo-policies.js';
import { benchWindows } from './bench-windows.js';
import type { PathRun } from './time-io-only.js';
import { startWindowFunctionProcess } from './window-function-process.js';

export interface FullPathRunOptions {
  dataDir: string;
  natsUrl: string;
  stream: string;
  windows: WindowSpec[];
  batchSize: number;
  parallelism: number;
  maxInFlight: number;
  ackTimeoutMs: number;
  /** Distinct per run, so no Msg-Id repeats an earlier run's. */
  jobUid: string;
  nodeFlags?: string[];
}

/**
 * One timed run of the full path: a fresh window function process (its own
 * `main`, owning the engine), every window POSTed to it as the broker would.
 * The clock starts once it is listening, as a warm Knative revision would be.
 */
export async function timeFullPath(opts: FullPathRunOptions): Promise<PathRun & { activities: number; errors: number }> {
  const fn = await startWindowFunctionProcess(opts);
  try {
    const started = performance.now();
    const totals = await benchWindows(
      fn.url,
      { name: 'bench', uid: opts.jobUid, batchSize: opts.batchSize, policies: demoPolicies, rateLimit: 1_000_000, signingKey: fn.signingKey },
      opts.windows,
      opts.parallelism,
    );
    const elapsedMs = performance.now() - started;
    return { events: totals.processedEvents, elapsedMs, peakRssMb: fn.peakRssMb(), activities: totals.activitiesGenerated, errors: totals.errors };
  } finally {
    await fn.stop();
  }
}
