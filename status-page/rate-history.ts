import type { ReindexJob } from '../shared/api/reindex-job.js';

export interface RatePoint {
  at: string;
  eventsPerSecond: number;
}

interface Sample {
  at: number;
  uid?: string;
  processed: number;
  rate: number;
}

/**
 * Events per second over time, sampled each time the page reads a job. The
 * status carries only the current rate, so the page keeps its own short
 * history in memory; it starts empty when the page server starts.
 */
export class RateHistory {
  readonly #samples = new Map<string, Sample[]>();

  constructor(
    private readonly limit = 300,
    private readonly minGapMs = 900,
  ) {}

  record(job: ReindexJob, now: Date): void {
    const name = job.metadata.name;
    const processed = job.status?.progress?.processedEvents ?? 0;
    let samples = this.#samples.get(name) ?? [];
    const last = samples.at(-1);
    // A job deleted and created again under the same name starts a new history.
    if (last && last.uid !== job.metadata.uid) samples = [];
    else if (last && now.getTime() - last.at < this.minGapMs) return;
    const previous = samples.at(-1);
    // Prefer the aggregator's rate; between two samples without one, measure it.
    const measured =
      previous && now.getTime() > previous.at ? ((processed - previous.processed) * 1000) / (now.getTime() - previous.at) : 0;
    const rate = job.status?.eventsPerSecond ?? Math.max(0, measured);
    samples.push({ at: now.getTime(), uid: job.metadata.uid, processed, rate });
    if (samples.length > this.limit) samples.splice(0, samples.length - this.limit);
    this.#samples.set(name, samples);
  }

  series(name: string): RatePoint[] {
    return (this.#samples.get(name) ?? []).map((s) => ({ at: new Date(s.at).toISOString(), eventsPerSecond: s.rate }));
  }
}
