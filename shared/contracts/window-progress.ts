import { z } from 'zod';
import { JobRef, Source } from './window-requested.js';

/**
 * The counts of a window still running, sent every few seconds by the
 * window function (best effort: a report lost changes nothing but how live
 * the status looks). The counts are this attempt's so far; the window's
 * result replaces them when it lands.
 */
export const WindowProgress = z.object({
  job: JobRef,
  window: z.object({ index: z.number().int().min(0), source: Source }),
  processedEvents: z.number().int().min(0),
  activitiesGenerated: z.number().int().min(0),
  errors: z.number().int().min(0),
  /** Since this attempt of the window started. */
  elapsedMs: z.number().min(0),
});
export type WindowProgress = z.infer<typeof WindowProgress>;
