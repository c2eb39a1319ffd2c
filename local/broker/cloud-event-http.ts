// CloudEvents HTTP protocol binding 1.0, both content modes, in and out.
// Validation is the cloudevents SDK's; the byte handling is ours so data
// (including data_base64) reaches subscribers exactly as it was sent.
import { CloudEvent } from 'cloudevents';
import type { BrokerEvent } from './broker-event.js';

export class NotACloudEventError extends Error {
  override name = 'NotACloudEventError';
}

const STRUCTURED = 'application/cloudevents+json';
const BATCH = 'application/cloudevents-batch+json';

/** True when the message is meant as a CloudEvent at all (the binding's own detection rule). */
export function looksLikeCloudEvent(headers: Headers): boolean {
  return (headers.get('content-type') ?? '').startsWith('application/cloudevents') || headers.has('ce-specversion');
}

/** Parses a request or response; throws NotACloudEventError when it is not a valid 1.0 event. */
export function fromHttp(headers: Headers, body: Buffer): BrokerEvent {
  const contentType = headers.get('content-type') ?? '';
  if (contentType.startsWith(BATCH)) throw new NotACloudEventError('batched CloudEvents are not accepted');
  const event = contentType.startsWith(STRUCTURED) ? fromStructured(body) : fromBinary(headers, body);
  validate(event);
  return event;
}

function fromBinary(headers: Headers, body: Buffer): BrokerEvent {
  if (!headers.has('ce-specversion')) throw new NotACloudEventError('no ce-specversion header and not structured mode');
  const attributes: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (name.startsWith('ce-')) attributes[name.slice(3)] = percentDecode(value);
  });
  const contentType = headers.get('content-type');
  if (contentType) attributes.datacontenttype = contentType;
  return { attributes, data: body.length > 0 ? body : undefined };
}

function fromStructured(body: Buffer): BrokerEvent {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new NotACloudEventError('structured CloudEvent body is not JSON', { cause: err });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new NotACloudEventError('structured CloudEvent body is not a JSON object');
  }
  const { data, data_base64: dataBase64, ...rest } = json as Record<string, unknown>;
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(rest)) {
    if (value === null || value === undefined) continue;
    if (typeof value === 'object') throw new NotACloudEventError(`attribute "${name}" is not a scalar`);
    attributes[name] = String(value);
  }
  let bytes: Buffer | undefined;
  if (typeof dataBase64 === 'string') bytes = Buffer.from(dataBase64, 'base64');
  else if (typeof data === 'string' && !isJson(attributes.datacontenttype)) bytes = Buffer.from(data, 'utf8');
  else if (data !== undefined) bytes = Buffer.from(JSON.stringify(data), 'utf8');
  // Structured JSON data without a content type is JSON (CloudEvents JSON format §3.1).
  if (bytes && data !== undefined && attributes.datacontenttype === undefined) attributes.datacontenttype = 'application/json';
  return { attributes, data: bytes };
}

function isJson(contentType: string | undefined): boolean {
  return contentType === undefined || /^application\/(.+\+)?json(;|$)/.test(contentType) || contentType === 'text/json';
}

function validate(event: BrokerEvent): void {
  const { attributes } = event;
  if (attributes.specversion !== '1.0') {
    throw new NotACloudEventError(`specversion must be 1.0, got ${attributes.specversion ?? 'none'}`);
  }
  // Checked here because the SDK's constructor would invent an id rather than refuse.
  for (const required of ['id', 'source', 'type']) {
    if (!attributes[required]) throw new NotACloudEventError(`invalid CloudEvent: ${required} is required`);
  }
  try {
    // Strict construction runs the SDK's JSON-schema check of required
    // attributes, URI-reference source, RFC 3339 time and attribute names.
    new CloudEvent({ ...attributes }, true);
  } catch (err) {
    const details = (err as { errors?: unknown }).errors;
    const suffix = Array.isArray(details) ? `: ${details.map((d) => `${d.instancePath || ''} ${d.message ?? ''}`.trim()).join(', ')}` : '';
    throw new NotACloudEventError(`invalid CloudEvent${suffix || `: ${(err as Error).message}`}`, { cause: err });
  }
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

function percentDecode(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
