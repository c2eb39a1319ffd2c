/** What one benchmark run measured; the first six fields are the `--json` line. */
export interface BenchResult {
  events: number;
  ioOnlyEventsPerSec: number;
  fullEventsPerSec: number;
  /** full / I/O-only events/s, in the same run. */
  ratio: number;
  activitiesPerSec: number;
  /** Peak RSS of the window function process (VmHWM), MiB. */
  peakRssMb: number;
  details: {
    windows: number;
    /** Events per window the planner aimed at (batchSize × pages per window). */
    targetEvents: number;
    batchSize: number;
    parallelism: number;
    /** Runs per path; the median of each counts. */
    rounds: number;
    activityBytes: number;
    activities: number;
    errors: number;
    loadSeconds: number;
    ioOnlySeconds: number;
    fullSeconds: number;
    /** Peak RSS of the I/O-only process (maxRSS), MiB: the floor the engine and clients cost. */
    ioOnlyPeakRssMb: number;
  };
}

/** The `--json` object: exactly the fields the issue names, rounded for reading. */
export function benchJson(r: BenchResult): Record<string, number> {
  return {
    events: r.events,
    ioOnlyEventsPerSec: Math.round(r.ioOnlyEventsPerSec),
    fullEventsPerSec: Math.round(r.fullEventsPerSec),
    ratio: Math.round(r.ratio * 1000) / 1000,
    activitiesPerSec: Math.round(r.activitiesPerSec),
    peakRssMb: Math.round(r.peakRssMb * 10) / 10,
  };
}

/** The human report: one line per measure. */
export function formatBench(r: BenchResult): string {
  const d = r.details;
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  return [
    `events            ${n(r.events)} in ${d.windows} windows of ~${n(d.targetEvents)} (batchSize ${d.batchSize}, parallelism ${d.parallelism}, median of ${d.rounds} alternating runs per path); load took ${d.loadSeconds.toFixed(1)}s`,
    `I/O-only path     ${n(r.ioOnlyEventsPerSec)} events/s (${d.ioOnlySeconds.toFixed(2)}s: read rows, publish one ~${d.activityBytes}-byte message per row)`,
    `full path         ${n(r.fullEventsPerSec)} events/s (${d.fullSeconds.toFixed(2)}s: window function over HTTP + CloudEvents)`,
    `ratio             ${r.ratio.toFixed(3)} (full / I/O-only)`,
    `activities        ${n(r.activitiesPerSec)} activities/s (${n(d.activities)} activities, ${n(d.errors)} errors)`,
    `peak RSS          ${r.peakRssMb.toFixed(1)} MiB (window function process; the I/O-only process peaked at ${d.ioOnlyPeakRssMb.toFixed(1)} MiB)`,
  ].join('\n');
}
