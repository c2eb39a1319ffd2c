import { DEFAULT_SUBJECT_PREFIX } from '../shared/nats/activity-subject.js';
import { runJsonChild } from './child-process.js';
import type { IoOnlyParams } from './io-only-child.js';

export interface PathRun {
  events: number;
  elapsedMs: number;
  peakRssMb: number;
}

/** What the child needs, less the subject prefix (always the deployed one), plus node flags (e.g. --cpu-prof). */
export type IoOnlyRunOptions = Omit<IoOnlyParams, 'subjectPrefix'> & { nodeFlags?: string[] };

/** One timed run of the I/O-only path in its own process (it owns the engine until it exits). */
export async function timeIoOnly(opts: IoOnlyRunOptions): Promise<PathRun> {
  const { nodeFlags, ...rest } = opts;
  const params: IoOnlyParams = { ...rest, subjectPrefix: DEFAULT_SUBJECT_PREFIX };
  const io = await runJsonChild<{ events: number; messages: number; elapsedMs: number; maxRssKb: number }>(
    new URL('./io-only-child.ts', import.meta.url),
    params,
    { nodeFlags },
  );
  if (io.messages !== io.events) throw new Error(`the I/O-only path had ${io.messages} of ${io.events} messages acknowledged`);
  return { events: io.events, elapsedMs: io.elapsedMs, peakRssMb: io.maxRssKb / 1024 };
}
