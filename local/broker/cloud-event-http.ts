// CloudEvents HTTP protocol binding 1.0, both content modes, in and out.
// Reading and checking is the one strict reader the functions use too
// (shared/http/cloud-event-message.ts); the broker keeps the data as the
// bytes it received, so data (including data_base64) reaches subscribers
// exactly as it was sent.
import { isJsonContentType as isJson, readCloudEventMessage } from '../../shared/http/cloud-event-message.js';
import type { BrokerEvent } from './broker-event.js';

const STRUCTURED = 'application/cloudevents+json';

/** True when the message is meant as a CloudEvent at all (the binding's own detection rule). */
export function looksLikeCloudEvent(headers: Headers): boolean {
  return (headers.get('content-type') ?? '').startsWith('application/cloudevents') || headers.has('ce-specversion');
}

/** Parses a request or response; throws InvalidEventError naming the attribute when it is not a valid 1.0 event. */
export function fromHttp(headers: Headers, body: Buffer): BrokerEvent {
  const { attributes, data } = readCloudEventMessage(headers, body);
  // Over the binary binding every attribute is a string; a structured 3 is "3".
  return { attributes: Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, String(v)])), data };
}

/** Binary content mode, which is what Knative delivers to subscribers. */
export function toBinary(event: BrokerEvent): { headers: Record<string, string>; body?: Buffer } {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.attributes)) {
    if (name === 'datacontenttype') headers['content-type'] = value;
    else headers[`ce-${name}`] = percentEncode(value);
  }
  return { headers, body: event.data };
}

/** Structured content mode (for senders that want it; tests use it for ingress). */
export function toStructured(event: BrokerEvent): { headers: Record<string, string>; body: string } {
  const json: Record<string, unknown> = { ...event.attributes };
  if (event.data) {
    if (isJson(event.attributes.datacontenttype)) json.data = JSON.parse(event.data.toString('utf8'));
    else json.data_base64 = event.data.toString('base64');
  }
  return { headers: { 'content-type': `${STRUCTURED}; charset=utf-8` }, body: JSON.stringify(json) };
}

// HTTP binding §3.1.3.2: header values percent-encode space, '"', '%' and
// anything outside printable ASCII, as UTF-8.
function percentEncode(value: string): string {
  return value.replace(/[^\x21\x23-\x24\x26-\x7e]/gu, (ch) =>
    [...Buffer.from(ch, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}
