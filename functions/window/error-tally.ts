import { errorKind, type ErrorSample } from '../../shared/contracts/window-completed.js';

export const MAX_ERROR_SAMPLES = 10;

/**
 * Counts every non-fatal error of a window and keeps one sample per kind
 * (type, policy and rule) with its count, up to ten kinds: one broken rule
 * failing on thousands of rows is one sample, and does not hide the one
 * malformed row or the other broken rule.
 */
export class ErrorTally {
  count = 0;
  readonly #byKind = new Map<string, ErrorSample & { count: number }>();

  add(sample: ErrorSample): void {
    this.count++;
    const kind = errorKind(sample);
    const seen = this.#byKind.get(kind);
    if (seen) seen.count++;
    else if (this.#byKind.size < MAX_ERROR_SAMPLES) this.#byKind.set(kind, { ...sample, count: 1 });
  }

  get samples(): ErrorSample[] {
    return [...this.#byKind.values()].map((s) => ({ ...s }));
  }
}
