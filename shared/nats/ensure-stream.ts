import { JetStreamApiCodes, JetStreamApiError, type JetStreamManager, type StreamConfig, type StreamInfo } from '@nats-io/jetstream';
import { UnavailableError } from '../errors/unavailable-error.js';
import { streamConfig, type StreamOptions } from './stream-config.js';

export type EnsureStreamResult = { action: 'created' | 'updated' | 'unchanged'; config: StreamConfig };

// The fields `nats-setup` owns; anything else on an existing stream (sources,
// placement, limits someone tuned by hand) is left as it is.
const OWNED = ['subjects', 'max_age', 'duplicate_window', 'num_replicas'] as const;

/**
 * Creates the stream, or updates the fields we own when it exists and
 * differs: running it twice changes nothing. Storage type cannot change on
 * an existing stream, so a memory stream is reported instead of replaced.
 */
export async function ensureStream(jsm: JetStreamManager, opts: StreamOptions = {}): Promise<EnsureStreamResult> {
  const wanted = streamConfig(opts);
  const existing = await streamInfo(jsm, wanted.name);
  if (!existing) {
    const info = await jsm.streams.add(wanted);
    return { action: 'created', config: info.config };
  }
  if (existing.config.storage !== wanted.storage) {
    throw new Error(`stream ${wanted.name} exists with ${existing.config.storage} storage; delete it to recreate with file storage`);
  }
  const differs = OWNED.some((k) => JSON.stringify(existing.config[k]) !== JSON.stringify(wanted[k]));
  if (!differs) return { action: 'unchanged', config: existing.config };
  const info = await jsm.streams.update(wanted.name, { ...existing.config, ...pick(wanted) });
  return { action: 'updated', config: info.config };
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

function pick(config: StreamConfig): Partial<StreamConfig> {
  return Object.fromEntries(OWNED.map((k) => [k, config[k]]));
}
