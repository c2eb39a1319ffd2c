import type { DryRunReport, DryRunSample } from '../shared/api/reindex-job.js';

const n = (v: number) => v.toLocaleString('en-US');
/** Summaries are cut so one sample stays one terminal line or two. */
const MAX_SUMMARY = 60;

/**
 * A dry run's report as the CLI prints it: the counts, then the samples as
 * a table with the stored summary beside the one the re-index would write.
 */
export function formatDryRunTable(report: DryRunReport, activitiesTable = 'audit.activities'): string {
  const lines = [
    `Dry run against ${activitiesTable} (nothing was published or written):`,
    ...alignColumns([
      ['would change', n(report.wouldChange)],
      ['would create', n(report.wouldCreate)],
      ['would orphan', n(report.wouldOrphan)],
      ['unchanged', n(report.unchanged)],
    ]).map((l) => `  ${l}`),
  ];
  const rows: string[][] = [];
  const add = (kind: string, samples: DryRunSample[] | undefined) => {
    for (const s of samples ?? []) rows.push([kind, s.originId, s.policy || '-', cut(s.storedSummary), cut(s.newSummary)]);
  };
  add('change', report.samples?.change);
  add('create', report.samples?.create);
  add('orphan', report.samples?.orphan);
  if (rows.length > 0) {
    lines.push('', ...alignColumns([['KIND', 'ORIGIN', 'POLICY', 'STORED SUMMARY', 'NEW SUMMARY'], ...rows]).map((l) => `  ${l}`));
  }
  return lines.join('\n');
}

function cut(text: string | undefined): string {
  if (text === undefined) return '-';
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > MAX_SUMMARY ? `${oneLine.slice(0, MAX_SUMMARY - 1)}…` : oneLine;
}

function alignColumns(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
}
