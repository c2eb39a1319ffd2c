// What a controller has emitted for a job (DESIGN.md §5: a restarted
// controller resumes from it). Windows go out in index order, so "every
// window below `next` went out at least once" plus the few emitted windows
// not yet seen answered describe it all: the record stays as small as
// parallelism allows, whatever the number of windows, and is what the
// controller rewrites per emission (the plan itself is written once).
import { z } from 'zod';
import { parseContractJson } from './parse-contract-json.js';

const Index = z.number().int().min(0);
const EpochMs = z.number().int().min(0);

export const EmissionRecord = z.object({
  jobUid: z.string().min(1),
  /** Every window with a lower index was emitted at least once. */
  next: Index,
  /** The latest emission: pacing spaces the next one by its expected events. */
  last: z.object({ index: Index, at: EpochMs }).optional(),
  /** Emitted windows without a result when written: [index, epoch ms of the latest emission, emissions so far]. */
  inFlight: z.array(z.tuple([Index, EpochMs, z.number().int().min(1)])),
});
export type EmissionRecord = z.infer<typeof EmissionRecord>;
export type InFlightWindow = EmissionRecord['inFlight'][number];

export function emptyEmissionRecord(jobUid: string): EmissionRecord {
  return { jobUid, next: 0, inFlight: [] };
}

export function printEmissionRecord(record: EmissionRecord): string {
  return JSON.stringify(record);
}

export function parseEmissionRecord(text: string): EmissionRecord {
  return parseContractJson(EmissionRecord, text, 'emission record', 'record');
}
