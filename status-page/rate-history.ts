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
 * status carries the last minute of progress (status.progress.recent, what
 * eventsPerSecond is measured over); the page keeps a longer history in
 * memory, and a history it starts (the page server started, or the job is
 * new to it) begins with that minute, so the chart is never empty mid-job.
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
    if (samples.length === 0) samples = fromRecent(job);
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

/** The rate between each two of the status's recent progress samples, at the later one. */
function fromRecent(job: ReindexJob): Sample[] {
  const recent = job.status?.progress?.recent ?? [];
  const out: Sample[] = [];
  for (let i = 1; i < recent.length; i++) {
    const [a, b] = [recent[i - 1]!, recent[i]!];
    const ms = Date.parse(b.at) - Date.parse(a.at);
    if (!(ms > 0)) continue;
    out.push({ at: Date.parse(b.at), uid: job.metadata.uid, processed: b.processedEvents, rate: Math.max(0, ((b.processedEvents - a.processedEvents) * 1000) / ms) });
  }
  return out;
}
