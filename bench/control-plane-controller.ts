// The controller as its own process for the control-plane bench
// (control-plane.ts): runController against the given API server and
// broker, planning the given number of windows instead of counting rows in
// ClickHouse, so the process never loads chDB. Parameters: one JSON
// argument. Stops on SIGTERM.
import { runController } from '../controller/run-controller.js';
import type { TimeRange } from '../shared/contracts/job-plan.js';
import type { WindowSpec } from '../shared/contracts/window-requested.js';
import { kubeConfigForUrl } from '../shared/kube/kube-config.js';
import { createLogger } from '../shared/log.js';

export interface ControllerProcessParams {
  kubeUrl: string;
  brokerUrl: string;
  namespace: string;
  windows: number;
  eventsPerWindow: number;
  resultDeadlineMs: number;
  signingKey: string;
}

/** `count` windows, half audit and half Event, each source tiling the range. */
export function tiledWindows(range: TimeRange, count: number, events: number): WindowSpec[] {
  const start = Date.parse(range.startTime);
  const end = Date.parse(range.endTime);
  const perSource = { audit: Math.ceil(count / 2), event: Math.floor(count / 2) };
  const out: WindowSpec[] = [];
  for (const source of ['audit', 'event'] as const) {
    const n = perSource[source];
    const at = (i: number) => new Date(i === n ? end : start + Math.floor(((end - start) * i) / n)).toISOString();
    for (let i = 0; i < n; i++) out.push({ index: out.length, source, from: at(i), to: at(i + 1), expectedEvents: events });
  }
  return out;
}

if (process.argv[2]) {
  const params = JSON.parse(process.argv[2]) as ControllerProcessParams;
  const controller = await runController({
    kubeConfig: kubeConfigForUrl(params.kubeUrl),
    planWindows: async (range) => tiledWindows(range, params.windows, params.eventsPerWindow),
    brokerUrl: params.brokerUrl,
    signingKey: params.signingKey,
    namespace: params.namespace,
    log: createLogger('reindex-controller'),
    resultDeadlineMs: params.resultDeadlineMs,
  });
  process.once('SIGTERM', () => void controller.stop().then(() => process.exit(0)));
}
