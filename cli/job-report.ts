import type { ReindexJob } from '../shared/api/reindex-job.js';

/** The one JSON object `reindex run --json` and `reindex demo --json` print. */
export interface JobReport {
  job: string;
  phase: string;
  message: string;
  totalEvents: number;
  processedEvents: number;
  activitiesGenerated: number;
  errors: number;
  windows: { total: number; completed: number; failed: number; failedRanges: string };
  durationMs: number;
  activitiesInClickHouse: number;
}

export function jobReport(job: ReindexJob, durationMs: number, activitiesInClickHouse: number): JobReport {
  const s = job.status ?? {};
  const p = s.progress;
  return {
    job: job.metadata.name,
    phase: s.phase ?? 'Pending',
    message: s.message ?? '',
    totalEvents: p?.totalEvents ?? 0,
    processedEvents: p?.processedEvents ?? 0,
    activitiesGenerated: p?.activitiesGenerated ?? 0,
    errors: p?.errors ?? 0,
    windows: {
      total: s.windows?.total ?? 0,
      completed: s.windows?.completed ?? 0,
      failed: s.windows?.failed ?? 0,
      failedRanges: s.windows?.failedRanges ?? '',
    },
    durationMs,
    activitiesInClickHouse,
  };
}

const n = (v: number) => v.toLocaleString('en-US');

/** The human summary printed after the progress bar. */
export function formatJobReport(report: JobReport, job: ReindexJob): string {
  const seconds = report.durationMs / 1000;
  const lines = [
    `ReindexJob ${report.job}: ${report.phase}${report.message ? ` — ${report.message}` : ''}`,
    `  events      ${n(report.processedEvents)} of ${n(report.totalEvents)} in ${seconds.toFixed(1)}s (${n(Math.round(report.processedEvents / Math.max(seconds, 0.001)))} events/s)`,
    `  activities  ${n(report.activitiesGenerated)} generated, ${n(report.activitiesInClickHouse)} in audit.activities (FINAL, job's time range)`,
    `  errors      ${n(report.errors)}`,
    `  windows     ${report.windows.completed}/${report.windows.total} completed${report.windows.failed ? `, failed: ${report.windows.failedRanges}` : ''}`,
  ];
  for (const sample of job.status?.errorSamples?.slice(0, 3) ?? []) {
    const where = sample.policy ? ` ${sample.policy}/${sample.rule}` : '';
    lines.push(`  error       ${sample.originId || '(no id)'}${where}: ${sample.message}`);
  }
  return lines.join('\n');
}
