// Only the controller may start a window and only the window function may
// report one (DESIGN.md §4.2): each signs its events with an HMAC-SHA256 over
// the event's id, type, subject and data, keyed by REINDEX_SIGNING_KEY from
// the activity-reindex Secret, carried in the `reindexsignature` extension.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { CloudEvent, type CloudEventV1 } from 'cloudevents';
import { z } from 'zod';
import { UnauthorizedEventError } from '../errors/unauthorized-event-error.js';

/** The CloudEvent extension holding the signature (lowercase alphanumerics, as the spec requires). */
export const SIGNATURE_EXTENSION = 'reindexsignature';

/** The key as every entry point reads it from its environment: at least 32 characters. */
export const SigningKey = z.string().min(32, 'REINDEX_SIGNING_KEY must be at least 32 characters');

const SCHEME = 'v1=';

/**
 * The data as bytes, the same on both sides whatever the content mode: a
 * JSON value is signed as JSON.stringify gives it, which a parsed copy
 * reproduces exactly (the Broker may re-encode a structured event's data,
 * so its bytes on the wire are not what is signed).
 */
function dataBytes(event: CloudEventV1<unknown>): Buffer {
  const { data } = event;
  if (data === undefined || data === null) return event.data_base64 ? Buffer.from(event.data_base64, 'base64') : Buffer.alloc(0);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(typeof data === 'string' ? data : JSON.stringify(data), 'utf8');
}

/** The signature value of an event (without looking at any signature it carries). */
export function eventSignature(event: CloudEventV1<unknown>, key: string): string {
  const mac = createHmac('sha256', key);
  // A JSON array keeps the fields apart: no id/type/subject split can collide with another.
  mac.update(JSON.stringify([event.id, event.type, event.subject ?? '']));
  mac.update('\n');
  mac.update(dataBytes(event));
  return SCHEME + mac.digest('base64url');
}

/** The same event with its signature added. */
export function signEvent<T>(event: CloudEvent<T>, key: string): CloudEvent<T> {
  return event.cloneWith({ [SIGNATURE_EXTENSION]: eventSignature(event, key) }) as CloudEvent<T>;
}

export type SignatureCheck = 'valid' | 'missing' | 'invalid';

export function checkSignature(event: CloudEventV1<unknown>, key: string): SignatureCheck {
  const carried = (event as Record<string, unknown>)[SIGNATURE_EXTENSION];
  if (carried === undefined || carried === null || carried === '') return 'missing';
  const expected = Buffer.from(eventSignature(event, key));
  const given = Buffer.from(String(carried));
  return given.length === expected.length && timingSafeEqual(given, expected) ? 'valid' : 'invalid';
}

/**
 * Throws UnauthorizedEventError (401) unless the event carries a valid
 * signature; `onRejected` is told why, for the rejection metric.
 */
export function requireSignature(event: CloudEventV1<unknown>, key: string, onRejected?: (reason: 'missing' | 'invalid') => void): void {
  const check = checkSignature(event, key);
  if (check === 'valid') return;
  onRejected?.(check);
  throw new UnauthorizedEventError(
    check === 'missing'
      ? `CloudEvent ${event.type} ${event.id} carries no ${SIGNATURE_EXTENSION}: only the controller and the window function may send window events`
      : `CloudEvent ${event.type} ${event.id} has a ${SIGNATURE_EXTENSION} that does not match its id, type, subject and data`,
  );
}
