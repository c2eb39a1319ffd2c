import type { ReindexJobSpec } from '../../shared/api/reindex-job.js';
import { UsageError } from '../usage-error.js';

export interface ReindexFlags {
  startTime?: string;
  endTime?: string;
  policy: string[];
  selector: string[];
  dryRun: boolean;
  rate?: string;
  parallelism?: string;
}

function positiveInt(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer, got ${value}`);
  return n;
}

/** The ReindexJob spec the flags ask for; bad usage is a UsageError (exit 2). Bounds are the API server's to check. */
export function reindexJobSpec(flags: ReindexFlags): ReindexJobSpec {
  if (!flags.startTime) throw new UsageError('reindex needs --start-time (RFC 3339, or now-48h, now-7d, …)');
  if (flags.policy.length > 0 && flags.selector.length > 0) throw new UsageError('--policy and --selector are mutually exclusive');
  const matchLabels: Record<string, string> = {};
  for (const s of flags.selector) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new UsageError(`--selector must be key=value, got ${s}`);
    matchLabels[s.slice(0, eq)] = s.slice(eq + 1);
  }
  const rateLimit = positiveInt('--rate', flags.rate);
  const parallelism = positiveInt('--parallelism', flags.parallelism);
  return {
    timeRange: { startTime: flags.startTime, ...(flags.endTime ? { endTime: flags.endTime } : {}) },
    ...(flags.policy.length > 0 ? { policySelector: { names: flags.policy } } : {}),
    ...(flags.selector.length > 0 ? { policySelector: { matchLabels } } : {}),
    config: { ...(flags.dryRun ? { dryRun: true } : {}), ...(rateLimit ? { rateLimit } : {}), ...(parallelism ? { parallelism } : {}) },
  } as ReindexJobSpec;
}
