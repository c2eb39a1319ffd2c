import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

export interface StoredActivityMessage {
  seq: number;
  subject: string;
  msgId: string | undefined;
  data: unknown;
}

/**
 * Every message of a stream, oldest first, through an ordered consumer: what
 * a consumer such as Vector would see. For tests and the local demo, not for
 * streams larger than memory.
 */
export async function readStreamMessages(nc: NatsConnection, stream: string): Promise<StoredActivityMessage[]> {
  const jsm = await jetstreamManager(nc);
  const { state } = await jsm.streams.info(stream);
  const out: StoredActivityMessage[] = [];
  if (state.messages === 0) return out;
  const consumer = await jetstream(nc).consumers.get(stream);
  const messages = await consumer.consume();
  for await (const m of messages) {
    out.push({ seq: m.seq, subject: m.subject, msgId: m.headers?.get('Nats-Msg-Id') || undefined, data: m.json() });
    if (m.seq >= state.last_seq) break;
  }
  await messages.close();
  return out;
}
