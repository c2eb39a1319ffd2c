import type { WindowCompleted } from '../../shared/contracts/window-completed.js';

type ErrorSample = WindowCompleted['errorSamples'][number];

export const MAX_ERROR_SAMPLES = 10;

/** Counts every non-fatal error of a window and keeps the first few as samples. */
export class ErrorTally {
  count = 0;
  readonly samples: ErrorSample[] = [];

  add(sample: ErrorSample): void {
    this.count++;
    if (this.samples.length < MAX_ERROR_SAMPLES) this.samples.push(sample);
  }
}
