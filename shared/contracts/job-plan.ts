// A job's plan (DESIGN.md §4.1): everything fixed when the job starts. The
// controller writes it once, to an immutable ConfigMap, and a restarted
// controller (or the status page) reads it back. Windows are stored as what
// they are derived from, per source the length and the expected events of
// each window in order (they tile the resolved range exactly,
// shared/clickhouse/plan-windows.ts): about 12 bytes a window instead of a
// list of objects with two timestamps each, so 10,000 windows fit well
// inside one object. The one parser and printer of the form.
import { z } from 'zod';
import { PolicySnapshot, Source, type WindowSpec } from './window-requested.js';
import { InvalidContractError, parseContractJson } from './parse-contract-json.js';

export const TimeRange = z.object({ startTime: z.iso.datetime({ offset: true }), endTime: z.iso.datetime({ offset: true }) });
export type TimeRange = z.infer<typeof TimeRange>;

/** The spec fields kept from the job's start (controller/fixed-spec.ts). */
export const FixedSpec = z.object({
  /** As written (relative times unresolved): to tell a later edit apart. */
  timeRange: z.object({ startTime: z.string(), endTime: z.string().optional() }),
  policySelector: z.object({ names: z.array(z.string()).optional(), matchLabels: z.record(z.string(), z.string()).optional() }).optional(),
  batchSize: z.number().int(),
  dryRun: z.boolean(),
});
export type FixedSpec = z.infer<typeof FixedSpec>;

/** One source's windows, in order: window i spans spansMs[i] ms from where window i-1 ended. */
export const SourceWindows = z
  .object({ spansMs: z.array(z.number().int().min(0)), events: z.array(z.number().int().min(0)) })
  .refine((w) => w.spansMs.length === w.events.length, 'spansMs and events differ in length');
export type SourceWindows = z.infer<typeof SourceWindows>;

export const JobPlan = z.object({
  /** The job the plan was made for: a job re-created under the same name must not inherit it. */
  jobUid: z.string().min(1),
  resolvedTimeRange: TimeRange,
  /** Audit windows first (indexes 0..a-1), then Event windows (a..a+e-1). */
  windows: z.object({ audit: SourceWindows, event: SourceWindows }),
  policies: z.array(PolicySnapshot),
  /** Policies the selector matched but left out (not Ready), with why: status.policies names them. */
  skippedPolicies: z.array(z.object({ name: z.string(), resourceVersion: z.string(), skipped: z.string().optional() })).optional(),
  /** group/plural → Kind entries the policies can use (controller/discovery-for-policies.ts). */
  discovery: z.record(z.string(), z.string()),
  fixedSpec: FixedSpec,
});
export type JobPlan = z.infer<typeof JobPlan>;

/** Windows that cannot be stored as a plan: not indexed in order, or not tiling the range (encodePlanWindows). */
export class InvalidPlanError extends InvalidContractError {
  override name = 'InvalidPlanError';
}

export function printJobPlan(plan: JobPlan): string {
  return JSON.stringify(plan);
}

export function parseJobPlan(text: string): JobPlan {
  return parseContractJson(JobPlan, text, 'job plan', 'plan');
}

const SOURCES: readonly Source[] = ['audit', 'event'];

/**
 * The stored form of planned windows. Throws unless each source's windows
 * are indexed in order (audit first) and tile `range` exactly, as
 * planWindows makes them: only then can they be derived back.
 */
export function encodePlanWindows(range: TimeRange, windows: readonly WindowSpec[]): JobPlan['windows'] {
  const start = Date.parse(range.startTime);
  const end = Date.parse(range.endTime);
  const out: JobPlan['windows'] = { audit: { spansMs: [], events: [] }, event: { spansMs: [], events: [] } };
  const cursor: Record<Source, number> = { audit: start, event: start };
  let previous: Source = 'audit';
  windows.forEach((w, position) => {
    const from = Date.parse(w.from);
    const to = Date.parse(w.to);
    if (w.index !== position) throw new InvalidPlanError(`window ${w.index} is at position ${position}: windows must be indexed 0..n-1 in order`);
    if (previous === 'event' && w.source === 'audit') throw new InvalidPlanError(`audit window ${w.index} after event windows`);
    if (from !== cursor[w.source] || to < from) throw new InvalidPlanError(`${w.source} window ${w.index} (${w.from} to ${w.to}) does not continue the previous one`);
    out[w.source].spansMs.push(to - from);
    out[w.source].events.push(w.expectedEvents);
    cursor[w.source] = to;
    previous = w.source;
  });
  for (const source of SOURCES) {
    if (out[source].spansMs.length > 0 && cursor[source] !== end) throw new InvalidPlanError(`${source} windows end at ${new Date(cursor[source]).toISOString()}, not at ${range.endTime}`);
  }
  return out;
}

/** Planned windows derived back from a plan: index lookups in O(1), built in one pass. */
export interface PlanWindows {
  readonly length: number;
  readonly totalEvents: number;
  readonly bySource: Record<Source, number>;
  at(index: number): WindowSpec;
  expectedEvents(index: number): number;
  all(): WindowSpec[];
}

export function planWindows(plan: Pick<JobPlan, 'windows' | 'resolvedTimeRange'>): PlanWindows {
  const start = Date.parse(plan.resolvedTimeRange.startTime);
  const auditCount = plan.windows.audit.spansMs.length;
  const length = auditCount + plan.windows.event.spansMs.length;
  const froms = new Float64Array(length);
  const tos = new Float64Array(length);
  const events = new Float64Array(length);
  let totalEvents = 0;
  let index = 0;
  for (const source of SOURCES) {
    let cursor = start;
    const { spansMs, events: counts } = plan.windows[source];
    for (let i = 0; i < spansMs.length; i++, index++) {
      froms[index] = cursor;
      cursor += spansMs[i];
      tos[index] = cursor;
      events[index] = counts[i];
      totalEvents += counts[i];
    }
  }
  const at = (i: number): WindowSpec => {
    if (!(i >= 0 && i < length)) throw new RangeError(`no window ${i} in a plan of ${length}`);
    return { index: i, source: i < auditCount ? 'audit' : 'event', from: new Date(froms[i]).toISOString(), to: new Date(tos[i]).toISOString(), expectedEvents: events[i] };
  };
  return {
    length,
    totalEvents,
    bySource: { audit: auditCount, event: length - auditCount },
    at,
    expectedEvents: (i) => events[i] ?? 0,
    all: () => Array.from({ length }, (_, i) => at(i)),
  };
}
