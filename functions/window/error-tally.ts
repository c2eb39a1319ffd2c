import type { WindowCompleted } from '../../shared/contracts/window-completed.js';

type ErrorSample = WindowCompleted['errorSamples'][number];

export const MAX_ERROR_SAMPLES = 10;

/**
 * Counts every non-fatal error of a window and keeps up to ten samples. One
 * broken rule can fail on thousands of rows; so that it does not hide the
 * one malformed row or the other broken rule, a kind of error (policy +
 * rule, or a malformed row) not yet sampled takes the place of a repeat.
 */
export class ErrorTally {
  count = 0;
  readonly samples: ErrorSample[] = [];
  private readonly perKind = new Map<string, number>();

  add(sample: ErrorSample): void {
    this.count++;
    const kind = `${sample.policy}\u0000${sample.rule}`;
    const seen = this.perKind.get(kind) ?? 0;
    if (this.samples.length < MAX_ERROR_SAMPLES) {
      this.keep(sample, kind, seen);
      return;
    }
    if (seen > 0) return;
    // Full: drop the newest sample of the most repeated kind.
    let worst = '';
    let most = 1;
    for (const [k, n] of this.perKind) if (n > most) [worst, most] = [k, n];
    if (most === 1) return;
    let at = this.samples.length - 1;
    while (`${this.samples[at].policy}\u0000${this.samples[at].rule}` !== worst) at--;
    this.samples.splice(at, 1);
    this.perKind.set(worst, most - 1);
    this.keep(sample, kind, seen);
  }

  private keep(sample: ErrorSample, kind: string, seen: number): void {
    this.samples.push(sample);
    this.perKind.set(kind, seen + 1);
  }
}
