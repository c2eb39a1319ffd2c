import { JetStreamApiCodes, JetStreamApiError, type JetStreamManager, type StreamConfig, type StreamInfo } from '@nats-io/jetstream';
import { UnavailableError } from '../errors/unavailable-error.js';
import { streamConfig, type StreamOptions } from './stream-config.js';

/** One field `nats-setup` owns that differs on an existing stream. */
export interface StreamChange {
  field: string;
  from: unknown;
  to: unknown;
  /** Would take capacity or safety away: fewer replicas, a smaller limit, a subject dropped. */
  lowers: boolean;
}

export type EnsureStreamResult = { action: 'created' | 'updated' | 'unchanged'; config: StreamConfig; changes: StreamChange[] };

/** Refused: the update would lower a limit of the existing stream; nothing was changed. */
export class StreamLoweringError extends Error {
  override name = 'StreamLoweringError';
  constructor(readonly changes: StreamChange[], name: string) {
    super(
      `stream ${name} exists with ${changes.filter((c) => c.lowers).map(describeChange).join(', ')}: ` +
        'refusing to lower an existing stream (changed nothing; --force to apply)',
    );
  }
}

// Limits where larger (or -1, unlimited) is more: lowering one can lose messages.
const LIMITS = ['max_bytes', 'max_msg_size', 'max_age', 'max_consumers', 'duplicate_window', 'num_replicas'] as const;
// The fields `nats-setup` owns; anything else on an existing stream (sources,
// placement, metadata) is left as it is.
const OWNED = ['subjects', 'discard', ...LIMITS, 'allow_direct'] as const;

/**
 * Creates the stream, or updates the fields we own when it exists and
 * differs: running it twice changes nothing. Never lowers an existing
 * stream's replicas or limits, nor drops one of its subjects, unless `force`:
 * it throws StreamLoweringError listing them instead, changing nothing.
 * Storage type cannot change on an existing stream, so a memory stream is
 * reported instead of replaced.
 */
export async function ensureStream(jsm: JetStreamManager, opts: StreamOptions = {}, force = false): Promise<EnsureStreamResult> {
  const wanted = streamConfig(opts);
  const existing = await streamInfo(jsm, wanted.name);
  if (!existing) {
    const info = await jsm.streams.add(wanted);
    return { action: 'created', config: info.config, changes: [] };
  }
  if (existing.config.storage !== wanted.storage) {
    throw new Error(`stream ${wanted.name} exists with ${existing.config.storage} storage; delete it to recreate with file storage`);
  }
  const changes = streamChanges(existing.config, wanted);
  if (changes.length === 0) return { action: 'unchanged', config: existing.config, changes };
  if (!force && changes.some((c) => c.lowers)) throw new StreamLoweringError(changes, wanted.name);
  const info = await jsm.streams.update(wanted.name, { ...existing.config, ...Object.fromEntries(changes.map((c) => [c.field, c.to])) });
  return { action: 'updated', config: info.config, changes };
}

/** What would change from `current` to `wanted`, field by field (pure). */
function streamChanges(current: StreamConfig, wanted: StreamConfig): StreamChange[] {
  const changes: StreamChange[] = [];
  for (const field of OWNED) {
    const from = current[field] as unknown;
    const to = wanted[field] as unknown;
    if (JSON.stringify(from) === JSON.stringify(to)) continue;
    let lowers = false;
    if ((LIMITS as readonly string[]).includes(field)) lowers = limit(to as number) < limit(from as number);
    else if (field === 'subjects') lowers = ((from as string[] | undefined) ?? []).some((s) => !(to as string[]).includes(s));
    changes.push({ field, from, to, lowers });
  }
  return changes;
}

// -1 and 0 mean "no limit" for NATS limits (0: max_age and duplicate window unset).
const limit = (n: number | undefined): number => (n === undefined || n <= 0 ? Number.POSITIVE_INFINITY : n);

export function describeChange(c: StreamChange): string {
  return `${c.field} ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)}${c.lowers ? ' (lower)' : ''}`;
}

/**
 * Checked at start by the window function: publishing into a subject no
 * stream captures would only surface as "no responders" per message.
 */
export async function assertStreamExists(jsm: JetStreamManager, name: string): Promise<StreamInfo> {
  let info: StreamInfo | undefined;
  try {
    info = await streamInfo(jsm, name);
  } catch (err) {
    throw new UnavailableError(`cannot look up JetStream stream ${name}: ${(err as Error).message}`, { cause: err });
  }
  if (!info) {
    throw new UnavailableError(`JetStream stream ${name} does not exist; create it with \`reindex nats-setup --stream ${name}\``);
  }
  return info;
}

async function streamInfo(jsm: JetStreamManager, name: string): Promise<StreamInfo | undefined> {
  try {
    return await jsm.streams.info(name);
  } catch (err) {
    if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound) return undefined;
    throw err;
  }
}
