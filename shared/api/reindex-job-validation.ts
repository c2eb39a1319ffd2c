import type { ReindexJobSpec } from './reindex-job.js';
import { resolveTime } from './relative-time.js';

export const DEFAULT_RETENTION_DAYS = 60;

/** Defaults and bounds of DESIGN.md §4.1. */
export const CONFIG_LIMITS = {
  batchSize: { min: 100, max: 10_000, default: 1000 },
  rateLimit: { min: 10, max: 1_000_000, default: 100 },
  parallelism: { min: 1, max: 256, default: 4 },
} as const;

export interface DefaultedReindexJobSpec extends Omit<ReindexJobSpec, 'timeRange' | 'config'> {
  timeRange: { startTime: string; endTime: string };
  config: { batchSize: number; rateLimit: number; dryRun: boolean; parallelism: number; maxErrors?: number | string };
}

export interface FieldError {
  field: string;
  message: string;
}

export type ValidationResult =
  | { ok: true; spec: DefaultedReindexJobSpec; resolvedTimeRange: { startTime: string; endTime: string } }
  | { ok: false; errors: FieldError[] };

export type ErrorBudget = { kind: 'count'; value: number } | { kind: 'percent'; value: number };

const PERCENT = /^(\d+(?:\.\d+)?)%$/;

/** `maxErrors` as a count (5, "5") or a percent of processed events ("0.5%"); undefined when invalid or absent. */
export function parseMaxErrors(v: unknown): ErrorBudget | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 ? { kind: 'count', value: v } : undefined;
  if (typeof v !== 'string') return undefined;
  if (/^\d+$/.test(v)) return { kind: 'count', value: Number(v) };
  const m = PERCENT.exec(v);
  if (!m) return undefined;
  const value = Number(m[1]);
  return value <= 100 ? { kind: 'percent', value } : undefined;
}

/** True once errors are past the budget; no budget never fails a job. */
export function exceedsErrorBudget(budget: ErrorBudget | undefined, errors: number, processedEvents: number): boolean {
  if (!budget) return false;
  if (budget.kind === 'count') return errors > budget.value;
  return processedEvents > 0 && (errors / processedEvents) * 100 > budget.value;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function intInRange(errors: FieldError[], field: string, v: unknown, min: number, max: number, fallback: number): number {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    errors.push({ field, message: `must be an integer from ${min} to ${max}` });
    return fallback;
  }
  if (v < min || v > max) errors.push({ field, message: `must be from ${min} to ${max}, got ${v}` });
  return v;
}

function validateSelector(errors: FieldError[], selector: unknown): void {
  if (selector === undefined || selector === null) return;
  if (!isMap(selector)) {
    errors.push({ field: 'spec.policySelector', message: 'must be an object with names or matchLabels' });
    return;
  }
  const { names, matchLabels } = selector;
  if (names !== undefined && matchLabels !== undefined) {
    errors.push({ field: 'spec.policySelector', message: 'set names or matchLabels, not both' });
  }
  if (names !== undefined && (!Array.isArray(names) || names.some((n) => typeof n !== 'string' || n === ''))) {
    errors.push({ field: 'spec.policySelector.names', message: 'must be a list of policy names' });
  }
  if (matchLabels !== undefined && (!isMap(matchLabels) || Object.values(matchLabels).some((l) => typeof l !== 'string'))) {
    errors.push({ field: 'spec.policySelector.matchLabels', message: 'must be a map of label keys to string values' });
  }
}

function resolveField(errors: FieldError[], field: string, value: unknown, now: Date): Date | undefined {
  if (typeof value !== 'string' || value === '') {
    errors.push({ field, message: 'is required: RFC3339 or relative ("now", "now-15m", "now-7d")' });
    return undefined;
  }
  try {
    return resolveTime(value, now);
  } catch (err) {
    errors.push({ field, message: (err as Error).message });
    return undefined;
  }
}

/**
 * Validates and defaults a ReindexJob spec (DESIGN.md §4.1), resolving
 * relative times once against `now`. Every broken rule is reported with the
 * field it concerns.
 */
export function validateReindexJob(spec: unknown, opts: { now: Date; retentionDays?: number }): ValidationResult {
  const errors: FieldError[] = [];
  if (!isMap(spec)) return { ok: false, errors: [{ field: 'spec', message: 'is required and must be an object' }] };
  const retentionDays = opts.retentionDays ?? DEFAULT_RETENTION_DAYS;

  let start: Date | undefined;
  let end: Date | undefined;
  let endTime = 'now';
  const timeRange = spec.timeRange;
  if (!isMap(timeRange)) {
    errors.push({ field: 'spec.timeRange', message: 'is required: an object with startTime (and optionally endTime)' });
  } else {
    start = resolveField(errors, 'spec.timeRange.startTime', timeRange.startTime, opts.now);
    if (timeRange.endTime !== undefined && timeRange.endTime !== null) {
      endTime = timeRange.endTime as string;
      end = resolveField(errors, 'spec.timeRange.endTime', timeRange.endTime, opts.now);
    } else {
      end = new Date(opts.now.getTime());
    }
    if (start && end && start.getTime() >= end.getTime()) {
      errors.push({ field: 'spec.timeRange.startTime', message: `must be before endTime (${start.toISOString()} is not before ${end.toISOString()})` });
    }
    if (start) {
      const oldest = new Date(opts.now.getTime());
      oldest.setUTCDate(oldest.getUTCDate() - retentionDays);
      if (start.getTime() < oldest.getTime()) {
        errors.push({ field: 'spec.timeRange.startTime', message: `must be within the ${retentionDays}-day retention (not before ${oldest.toISOString()}), got ${start.toISOString()}` });
      }
    }
  }

  validateSelector(errors, spec.policySelector);

  const config = spec.config ?? {};
  if (!isMap(config)) errors.push({ field: 'spec.config', message: 'must be an object' });
  const c = isMap(config) ? config : {};
  const { batchSize: b, rateLimit: r, parallelism: p } = CONFIG_LIMITS;
  const defaulted: DefaultedReindexJobSpec['config'] = {
    batchSize: intInRange(errors, 'spec.config.batchSize', c.batchSize, b.min, b.max, b.default),
    rateLimit: intInRange(errors, 'spec.config.rateLimit', c.rateLimit, r.min, r.max, r.default),
    dryRun: false,
    parallelism: intInRange(errors, 'spec.config.parallelism', c.parallelism, p.min, p.max, p.default),
  };
  if (c.dryRun !== undefined && c.dryRun !== null) {
    if (typeof c.dryRun !== 'boolean') errors.push({ field: 'spec.config.dryRun', message: 'must be true or false' });
    else defaulted.dryRun = c.dryRun;
  }
  if (c.maxErrors !== undefined && c.maxErrors !== null) {
    if (!parseMaxErrors(c.maxErrors)) {
      errors.push({ field: 'spec.config.maxErrors', message: 'must be a count of errors (an integer ≥ 0) or a percent of processed events such as "0.5%"' });
    } else {
      defaulted.maxErrors = c.maxErrors as number | string;
    }
  }

  const ttl = spec.ttlSecondsAfterFinished;
  if (ttl !== undefined && ttl !== null && (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 0)) {
    errors.push({ field: 'spec.ttlSecondsAfterFinished', message: 'must be an integer ≥ 0' });
  }
  if (spec.suspend !== undefined && spec.suspend !== null && typeof spec.suspend !== 'boolean') {
    errors.push({ field: 'spec.suspend', message: 'must be true or false' });
  }

  if (errors.length > 0 || !start || !end) return { ok: false, errors };
  const out = { ...(spec as unknown as ReindexJobSpec) } as DefaultedReindexJobSpec;
  out.timeRange = { startTime: (timeRange as { startTime: string }).startTime, endTime };
  out.config = defaulted;
  return { ok: true, spec: out, resolvedTimeRange: { startTime: start.toISOString(), endTime: end.toISOString() } };
}
