import { serveApp, type ServedApp } from '../../shared/http/serve.js';
import { createApp } from './app.js';
import type { AggregatorDeps } from './aggregator-deps.js';

export type RunningAggregator = ServedApp;

/** Serves the aggregator on 127.0.0.1 (port 0 = any free port): for `main`, tests and the local stack. */
export async function startAggregator(deps: AggregatorDeps, port = 0, hostname = '127.0.0.1'): Promise<RunningAggregator> {
  const served = await serveApp(createApp(deps), port, hostname);
  // Answer what is queued before going: a result written is one the Broker need not redeliver.
  return {
    ...served,
    async close(graceMs) {
      await deps.status.close();
      await served.close(graceMs);
    },
  };
}
