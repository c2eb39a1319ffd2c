import { z } from 'zod';
import { JobRef, Source } from './window-requested.js';

/**
 * One kind of error (its type, policy and rule) with the first example seen
 * and how many errors of that kind there were: one broken rule failing on
 * thousands of rows is one sample with a count, not twenty copies.
 */
export const ErrorSample = z.object({
  originId: z.string(),
  policy: z.string(),
  rule: z.string(),
  message: z.string(),
  /** The error_type of activity_reindex_errors_total: malformed_row, evaluation, no_origin_id, activity_too_large. */
  type: z.string().optional(),
  /** Errors of this kind; absent means one. */
  count: z.number().int().min(1).optional(),
});
export type ErrorSample = z.infer<typeof ErrorSample>;

/** What groups samples: the same type, policy and rule are one kind. */
export function errorKind(sample: Pick<ErrorSample, 'type' | 'policy' | 'rule'>): string {
  return `${sample.type ?? ''}\u0000${sample.policy}\u0000${sample.rule}`;
}

/**
 * `samples` with `more` added, grouped by kind (counts summed), first-seen
 * order, at most `max` kinds: errors of a kind beyond those are counted in
 * the totals only.
 */
export function groupErrorSamples(samples: readonly ErrorSample[], more: readonly ErrorSample[], max: number): ErrorSample[] {
  const grouped = samples.map((s) => ({ ...s, count: s.count ?? 1 }));
  const byKind = new Map(grouped.map((s) => [errorKind(s), s]));
  for (const sample of more) {
    const kind = errorKind(sample);
    const existing = byKind.get(kind);
    if (existing) existing.count += sample.count ?? 1;
    else if (grouped.length < max) {
      const added = { ...sample, count: sample.count ?? 1 };
      grouped.push(added);
      byKind.set(kind, added);
    }
  }
  return grouped;
}

const DryRunSample = z.object({
  originId: z.string(),
  policy: z.string().optional(),
  storedSummary: z.string().optional(),
  newSummary: z.string().optional(),
});

/** Dry runs only: how the regenerated activities compare with audit.activities. */
export const WindowDryRun = z.object({
  wouldCreate: z.number().int().min(0),
  wouldChange: z.number().int().min(0),
  unchanged: z.number().int().min(0),
  wouldOrphan: z.number().int().min(0),
  samples: z.object({
    create: z.array(DryRunSample).max(5),
    change: z.array(DryRunSample).max(5),
    orphan: z.array(DryRunSample).max(5),
  }),
});
export type WindowDryRun = z.infer<typeof WindowDryRun>;

export const WindowCompleted = z.object({
  job: JobRef,
  window: z.object({ index: z.number().int().min(0), source: Source }),
  processedEvents: z.number().int().min(0),
  activitiesGenerated: z.number().int().min(0),
  errors: z.number().int().min(0),
  errorSamples: z.array(ErrorSample).max(10),
  durationMs: z.number().min(0),
  /** Time the window's publishing waited for the sink (flow control); absent when it never waited. */
  flowControlWaitMs: z.number().min(0).optional(),
  dryRun: WindowDryRun.optional(),
});
export type WindowCompleted = z.infer<typeof WindowCompleted>;
