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
  /** The whole local flow (`reindex run`: controller, broker, both functions, aggregator, sink), apply to stored. */
  endToEndEventsPerSec: number;
  /** The same flow as a dry run (nothing published; compared with audit.activities). */
  dryRunEventsPerSec: number;
  /** NATS alone: as many acknowledged messages as the full path publishes, nothing read or evaluated. */
  publishOnlyMessagesPerSec: number;
  /** The events/s NATS allows: publish-only messages/s ÷ the share of events that become activities. */
  publishOnlyLimitEventsPerSec: number;
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
    /** Activities per event read. */
    activityShare: number;
    endToEndSeconds: number;
    endToEndJobSeconds?: number;
    dryRunSeconds: number;
    publishOnlySeconds: number;
    /** Peak RSS of the local-flow process (maxRSS), MiB: every component and the engine in one process. */
    endToEndPeakRssMb: number;
  };
}

/** The `--json` object: the fields the issues name, rounded for reading. */
export function benchJson(r: BenchResult): Record<string, number> {
  return {
    events: r.events,
    ioOnlyEventsPerSec: Math.round(r.ioOnlyEventsPerSec),
    fullEventsPerSec: Math.round(r.fullEventsPerSec),
    ratio: Math.round(r.ratio * 1000) / 1000,
    activitiesPerSec: Math.round(r.activitiesPerSec),
    peakRssMb: Math.round(r.peakRssMb * 10) / 10,
    endToEndEventsPerSec: Math.round(r.endToEndEventsPerSec),
    dryRunEventsPerSec: Math.round(r.dryRunEventsPerSec),
    publishOnlyMessagesPerSec: Math.round(r.publishOnlyMessagesPerSec),
    publishOnlyLimitEventsPerSec: Math.round(r.publishOnlyLimitEventsPerSec),
    activityShare: Math.round(r.details.activityShare * 1000) / 1000,
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
    `local flow        ${n(r.endToEndEventsPerSec)} events/s (${d.endToEndSeconds.toFixed(2)}s from apply to every activity stored, job ${d.endToEndJobSeconds ?? '?'}s; ${(r.endToEndEventsPerSec / r.fullEventsPerSec).toFixed(3)} of the full path; peak RSS ${d.endToEndPeakRssMb.toFixed(1)} MiB)`,
    `local dry run     ${n(r.dryRunEventsPerSec)} events/s (${d.dryRunSeconds.toFixed(2)}s; ${(r.dryRunEventsPerSec / r.endToEndEventsPerSec).toFixed(3)} of a normal run)`,
    `publish-only      ${n(r.publishOnlyMessagesPerSec)} messages/s (${d.publishOnlySeconds.toFixed(2)}s); ÷ ${d.activityShare.toFixed(3)} activities per event = ${n(r.publishOnlyLimitEventsPerSec)} events/s, the limit NATS sets`,
  ].join('\n');
}
