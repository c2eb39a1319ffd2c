import type { DryRunReport } from '../../shared/api/reindex-job.js';

const n = (v: number) => v.toLocaleString('en-US');

/** The finished dry run's status message: what the re-index would do to audit.activities. */
export function describeDryRun(report: DryRunReport): string {
  return (
    `Dry run: ${n(report.wouldChange)} activities would change, ${n(report.wouldCreate)} be created, ` +
    `${n(report.wouldOrphan)} orphaned; ${n(report.unchanged)} unchanged`
  );
}
