import { z } from 'zod';
import { JobRef, Source } from './window-requested.js';

export const ErrorSample = z.object({
  originId: z.string(),
  policy: z.string(),
  rule: z.string(),
  message: z.string(),
});

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
