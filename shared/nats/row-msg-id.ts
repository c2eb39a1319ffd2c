import { hash } from 'node:crypto';
import type { Source } from '../contracts/window-requested.js';

/** What identifies one stored input row: its table, its id and its time as stored. */
export interface RowIdentity {
  source: Source;
  id: string;
  /** The row's time column as the reader returns it (RFC3339, the column's precision). */
  time: string;
}

/**
 * The `Nats-Msg-Id` of the activity made from one input row: SHA-256 (all 64
 * hex digits) over source, row id and stored row time, then `-<job uid>`.
 * A retried window re-reads the same rows and repeats its ids, so the stream
 * drops the copies; two different rows never share one, not even two
 * versions of one Event (same uid, another stored time), which must both
 * reach the sink, in order, for the newest to win there as it does live
 * (DESIGN.md §4.3). Not the activity name: 48 bits collide, and it is the
 * same for every version of an Event.
 */
export function rowMsgId(row: RowIdentity, jobUid: string): string {
  return `${hash('sha256', `${row.source}\0${row.id}\0${row.time}`, 'hex')}-${jobUid}`;
}

/**
 * Bytes the `Nats-Msg-Id` header adds to a message (`NATS/1.0\r\nNats-Msg-Id:
 * <id>\r\n\r\n`, as the client encodes it): the server's max_payload and the
 * stream's max message size both count headers and payload together.
 */
export function msgIdHeaderBytes(msgId: string): number {
  return Buffer.byteLength(`NATS/1.0\r\nNats-Msg-Id: ${msgId}\r\n\r\n`);
}
