import type { Activity } from '../shared/api/activity.js';

export type ParsedActivityMessage = { ok: true; activity: Activity } | { ok: false; reason: string };

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * One message of the reindex stream as an activity row. Anything that is
 * not a JSON object can never be inserted, so the sink must tell it apart
 * from the rest of its batch rather than retry the whole batch forever.
 */
export function parseActivityMessage(data: Uint8Array): ParsedActivityMessage {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(data));
  } catch (err) {
    return { ok: false, reason: `not JSON: ${(err as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: `not a JSON object: ${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value}` };
  }
  return { ok: true, activity: value as Activity };
}
