import { z } from 'zod';
import { JobRef, Source } from './window-requested.js';

export const WindowFailed = z.object({
  job: JobRef,
  window: z.object({ index: z.number().int().min(0), source: Source }),
  reason: z.string().min(1),
  message: z.string(),
});
export type WindowFailed = z.infer<typeof WindowFailed>;
