import type { ReindexJobSpec } from '../shared/api/reindex-job.js';

/** The spec's `config` with the defaults of DESIGN.md §4.1 filled in. */
export interface JobSettings {
  batchSize: number;
  rateLimit: number;
  parallelism: number;
  dryRun: boolean;
}

export function jobSettings(spec: ReindexJobSpec): JobSettings {
  const config = spec.config ?? {};
  return {
    batchSize: config.batchSize ?? 1000,
    rateLimit: config.rateLimit ?? 100,
    parallelism: config.parallelism ?? 4,
    dryRun: config.dryRun ?? false,
  };
}
