// A dry-run window's comparison folded into status.dryRunReport: counts
// summed, at most five samples of each kind kept (the first ones seen).
import type { DryRunReport } from '../../shared/api/reindex-job.js';
import type { WindowDryRun } from '../../shared/contracts/window-completed.js';

export const MAX_DRY_RUN_SAMPLES = 5;

export function foldDryRun(report: DryRunReport | undefined, window: WindowDryRun): DryRunReport {
  const base: DryRunReport = report ?? { wouldCreate: 0, wouldChange: 0, unchanged: 0, wouldOrphan: 0, samples: { create: [], change: [], orphan: [] } };
  const samples = (kind: keyof DryRunReport['samples']) => [...(base.samples?.[kind] ?? []), ...window.samples[kind]].slice(0, MAX_DRY_RUN_SAMPLES);
  return {
    wouldCreate: base.wouldCreate + window.wouldCreate,
    wouldChange: base.wouldChange + window.wouldChange,
    unchanged: base.unchanged + window.unchanged,
    wouldOrphan: base.wouldOrphan + window.wouldOrphan,
    samples: { create: samples('create'), change: samples('change'), orphan: samples('orphan') },
  };
}
