import { POLICY_NAME_LABEL, type Activity, type OriginType } from '../../shared/api/activity.js';
import type { StoredSummary } from '../../shared/clickhouse/read-stored-summaries.js';
import type { WindowDryRun } from '../../shared/contracts/window-completed.js';
import type { Source, WindowSpec } from '../../shared/contracts/window-requested.js';
import { activityDiffers } from './activity-differs.js';
import type { DryRunComparison } from './window-deps.js';

export const MAX_SAMPLES = 5;
/** Origin ids per stored-activity lookup: keeps each query's parameters small. */
const LOOKUP_CHUNK = 1000;
const SECOND = 1000;

export interface DryRunComparisonDeps {
  /** Stored activities (FINAL) of these origins whose timestamp lies in [from, to). */
  readStored: (query: { from: string; to: string; originType: OriginType; originIds: string[] }) => Promise<Activity[]>;
  /** Stored activities of one origin type in [from, to), streamed without their bodies. */
  readStoredSummaries: (query: { from: string; to: string; originType: OriginType }) => AsyncIterable<StoredSummary>;
  /** id → row timestamp for the source rows among `ids` that lie in [from, to). */
  readSourceTimes: (query: { source: Source; from: string; to: string; ids: string[] }) => Promise<Map<string, string>>;
}

type Sample = WindowDryRun['samples']['create'][number];

/**
 * One dry-run window's comparison with audit.activities. Each page's
 * would-be activities are matched, by origin id, with what is stored; only
 * the set of regenerated origin ids outlives a page. At the end, stored
 * activities of this window whose origin was not regenerated are orphans.
 *
 * An orphan must be counted by exactly one window, but a stored timestamp is
 * its origin row's time truncated to the second, and windows may start or
 * end inside a second. So a stored activity belongs to the window holding
 * its origin row's time (the window that would have regenerated it), looked
 * up in the source table only for the activities of those split seconds;
 * one whose row is gone belongs to the window holding its own timestamp.
 */
export function createDryRunComparison(window: Pick<WindowSpec, 'source' | 'from' | 'to'>, deps: DryRunComparisonDeps): DryRunComparison {
  const originType: OriginType = window.source === 'audit' ? 'audit' : 'event';
  const regenerated = new Set<string>();
  const report: WindowDryRun = { wouldCreate: 0, wouldChange: 0, unchanged: 0, wouldOrphan: 0, samples: { create: [], change: [], orphan: [] } };
  const sample = (kind: keyof WindowDryRun['samples'], s: Sample) => {
    if (report.samples[kind].length < MAX_SAMPLES) report.samples[kind].push(s);
  };

  const compareChunk = async (activities: Activity[]): Promise<void> => {
    let first = Infinity;
    let last = -Infinity;
    for (const a of activities) {
      const t = Date.parse(a.metadata.creationTimestamp);
      if (t < first) first = t;
      if (t > last) last = t;
    }
    // The same origin always yields the same timestamp, so the page's own
    // time span bounds the lookup (and lets ClickHouse skip partitions).
    const stored = await deps.readStored({
      from: iso(Math.floor(first / SECOND) * SECOND),
      to: iso(Math.floor(last / SECOND) * SECOND + SECOND),
      originType,
      originIds: [...new Set(activities.map((a) => a.spec.origin.id))],
    });
    const byOrigin = new Map<string, Activity[]>();
    for (const s of stored) {
      const list = byOrigin.get(s.spec.origin.id);
      if (list) list.push(s);
      else byOrigin.set(s.spec.origin.id, [s]);
    }
    for (const fresh of activities) {
      const originId = fresh.spec.origin.id;
      const policy = policyOf(fresh.metadata.labels[POLICY_NAME_LABEL]);
      const candidates = byOrigin.get(originId);
      if (!candidates) {
        report.wouldCreate++;
        sample('create', { originId, ...policy, newSummary: fresh.spec.summary });
      } else if (candidates.some((s) => !activityDiffers(s, fresh))) {
        report.unchanged++;
      } else {
        report.wouldChange++;
        sample('change', { originId, ...policy, storedSummary: candidates[0]!.spec.summary, newSummary: fresh.spec.summary });
      }
    }
  };

  return {
    async add(activities) {
      for (const a of activities) regenerated.add(a.spec.origin.id);
      for (let i = 0; i < activities.length; i += LOOKUP_CHUNK) await compareChunk(activities.slice(i, i + LOOKUP_CHUNK));
    },

    async finish() {
      const fromMs = Date.parse(window.from);
      const toMs = Date.parse(window.to);
      const orphan = (s: StoredSummary) => {
        report.wouldOrphan++;
        sample('orphan', { originId: s.originId, ...policyOf(s.policy), storedSummary: s.summary });
      };
      // Activities of a second the window shares with a neighbour: at most two seconds' worth.
      const split: StoredSummary[] = [];
      const candidates = deps.readStoredSummaries({ from: iso(Math.floor(fromMs / SECOND) * SECOND), to: window.to, originType });
      for await (const s of candidates) {
        if (regenerated.has(s.originId)) continue;
        const t = Date.parse(s.timestamp);
        if (t >= fromMs && t + SECOND <= toMs) orphan(s);
        else split.push(s);
      }
      if (split.length > 0) {
        const times = split.map((s) => Date.parse(s.timestamp));
        const rowTimes = await deps.readSourceTimes({
          source: window.source,
          from: iso(times.reduce((a, b) => Math.min(a, b))),
          to: iso(times.reduce((a, b) => Math.max(a, b)) + SECOND),
          ids: split.map((s) => rowIdOf(s.originId)),
        });
        for (const s of split) {
          const at = Date.parse(rowTimes.get(rowIdOf(s.originId)) ?? s.timestamp);
          if (at >= fromMs && at < toMs) orphan(s);
        }
      }
      return report;
    },
  };
}

/**
 * The source row id behind an origin id: a federated Event's is qualified
 * `<planeType>/<cluster>/<uid>` (ACTIVITY-FORMAT.md §6), and a uid or an
 * auditID never holds a slash.
 */
function rowIdOf(originId: string): string {
  return originId.slice(originId.lastIndexOf('/') + 1);
}

/** A sample names its policy only when the activity carries one. */
function policyOf(name: string | undefined): { policy?: string } {
  return name ? { policy: name } : {};
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
