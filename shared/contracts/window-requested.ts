import { z } from 'zod';

const Rule = z.object({ name: z.string().min(1), match: z.string().min(1), summary: z.string() });

/** One ActivityPolicy as snapshotted by the controller when the job started. */
export const PolicySnapshot = z.object({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: z.object({
    name: z.string().min(1),
    resourceVersion: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
  }),
  spec: z.object({
    resource: z.object({ apiGroup: z.string(), kind: z.string().min(1) }),
    auditRules: z.array(Rule).optional(),
    eventRules: z.array(Rule).optional(),
  }),
});
export type PolicySnapshot = z.infer<typeof PolicySnapshot>;

export const JobRef = z.object({ name: z.string().min(1), uid: z.string().min(1), generation: z.number().int() });
export type JobRef = z.infer<typeof JobRef>;

export const Source = z.enum(['audit', 'event']);
export type Source = z.infer<typeof Source>;

export const WindowSpec = z.object({
  index: z.number().int().min(0),
  source: Source,
  /** RFC3339 with milliseconds; the window is half-open [from, to). */
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
  expectedEvents: z.number().int().min(0),
});
export type WindowSpec = z.infer<typeof WindowSpec>;

export const WindowRequested = z.object({
  job: JobRef,
  window: WindowSpec,
  // The same bounds as spec.config.batchSize (DESIGN.md §4.1).
  batchSize: z.number().int().min(100).max(10_000),
  dryRun: z.boolean(),
  /** Events per second this window may use: its share of the job's rateLimit. */
  rateLimit: z.number().positive(),
  policies: z.array(PolicySnapshot),
  discovery: z.record(z.string(), z.string()),
});
export type WindowRequested = z.infer<typeof WindowRequested>;
