// One CloudEvent 1.0 from an HTTP message (HTTP protocol binding, binary and
// structured content modes), checked strictly: whatever is wrong is a 400
// naming the attribute. The SDK's own reader fills gaps instead of refusing
// (a missing id becomes a uuid, an unreadable time becomes now, specversion
// 0.3 passes) and reads attributes by truthiness (an empty id is no id), so
// the attributes are checked here as they came over the wire, and then
// through the SDK's strict constructor, whose JSON schema checks the URI
// formats and extension values.
import { CloudEvent, ValidationError } from 'cloudevents';
import { InvalidEventError } from '../errors/invalid-event-error.js';

export type ContentMode = 'binary' | 'structured';

export interface CloudEventMessage {
  mode: ContentMode;
  /** Context attributes and extensions as sent: strings in binary mode, JSON values in structured mode; nulls dropped. */
  attributes: Record<string, string | number | boolean>;
  /** The data as bytes, undefined when there is none (binary body, data_base64, or `data` encoded as JSON or text). */
  data?: Buffer;
}

const STRUCTURED = 'application/cloudevents+json';
const NAME = /^[a-z0-9]+$/;
const REQUIRED = ['id', 'source', 'type'] as const;
const OPTIONAL_STRINGS = ['datacontenttype', 'dataschema', 'subject', 'time'] as const;
// RFC 2046 / RFC 7231 media type: type "/" subtype *( ";" parameter ).
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const MEDIA_TYPE = new RegExp(`^${TOKEN}/${TOKEN}(\\s*;\\s*${TOKEN}=(${TOKEN}|"([^"\\\\]|\\\\.)*"))*\\s*$`);
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|([+-])(\d{2}):(\d{2}))$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const INT32 = { min: -2_147_483_648, max: 2_147_483_647 };

function invalid(attribute: string | undefined, message: string): InvalidEventError {
  return new InvalidEventError(attribute === undefined ? `invalid CloudEvent: ${message}` : `invalid CloudEvent attribute "${attribute}": ${message}`, {
    ...(attribute !== undefined ? { attribute } : {}),
  });
}

/** Reads and checks one CloudEvent; throws InvalidEventError (400) naming the attribute at fault. */
export function readCloudEventMessage(headers: Headers, body: Buffer): CloudEventMessage {
  const contentType = headers.get('content-type') ?? '';
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  if (mediaType.startsWith('application/cloudevents-batch')) throw invalid(undefined, 'batched CloudEvents are not accepted; send one event per request');
  let message: CloudEventMessage;
  if (mediaType === STRUCTURED) message = fromStructured(body);
  else if (mediaType.startsWith('application/cloudevents')) throw invalid(undefined, `event format ${mediaType} is not supported; use ${STRUCTURED} or binary mode`);
  else message = fromBinary(headers, body);
  checkAttributes(message);
  checkWithSdk(message);
  return message;
}

function fromBinary(headers: Headers, body: Buffer): CloudEventMessage {
  if (!headers.has('ce-specversion')) throw invalid('specversion', 'required: no ce-specversion header, and the content type is not structured mode');
  const attributes: Record<string, string> = {};
  headers.forEach((value, header) => {
    if (!header.startsWith('ce-')) return;
    const name = header.slice(3);
    checkName(name);
    // In binary mode the content type travels as Content-Type only.
    if (name === 'datacontenttype') throw invalid(name, 'in binary mode it is the Content-Type header, not ce-datacontenttype');
    attributes[name] = percentDecode(name, value);
  });
  const contentType = headers.get('content-type');
  if (contentType !== null) attributes.datacontenttype = contentType;
  return { mode: 'binary', attributes, data: body.length > 0 ? body : undefined };
}

function fromStructured(body: Buffer): CloudEventMessage {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw invalid(undefined, 'a structured-mode body must be a JSON object, and this is not JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw invalid(undefined, 'a structured-mode body must be a JSON object');
  const { data, data_base64: dataBase64, ...rest } = json as Record<string, unknown>;
  const attributes: Record<string, string | number | boolean> = {};
  for (const [name, value] of Object.entries(rest)) {
    checkName(name);
    // JSON format §2.4: null means the attribute is not set.
    if (value === null) continue;
    if (typeof value === 'object') throw invalid(name, `a ${Array.isArray(value) ? 'list' : 'JSON object'} is not a CloudEvents attribute value`);
    attributes[name] = value as string | number | boolean;
  }
  const hasData = data !== undefined && data !== null;
  const hasBase64 = dataBase64 !== undefined && dataBase64 !== null;
  if (hasData && hasBase64) throw invalid('data_base64', 'an event carries data or data_base64, not both');
  let bytes: Buffer | undefined;
  if (hasBase64) {
    if (typeof dataBase64 !== 'string' || !BASE64.test(dataBase64) || dataBase64.length % 4 !== 0) throw invalid('data_base64', 'not base64 (RFC 4648)');
    bytes = Buffer.from(dataBase64, 'base64');
  } else if (hasData) {
    // JSON format §3.1: a string is the data itself unless the content type is JSON.
    bytes = Buffer.from(typeof data === 'string' && !isJsonContentType(attributes.datacontenttype) ? data : JSON.stringify(data), 'utf8');
    if (attributes.datacontenttype === undefined) attributes.datacontenttype = 'application/json';
  }
  return { mode: 'structured', attributes, data: bytes };
}

function checkName(name: string): void {
  if (!NAME.test(name)) throw invalid(name, 'attribute names are lowercase letters and digits only (CloudEvents 1.0 §3.1)');
}

function checkAttributes({ attributes }: CloudEventMessage): void {
  const specversion = attributes.specversion;
  if (specversion === undefined) throw invalid('specversion', 'required');
  if (specversion !== '1.0') throw invalid('specversion', `must be "1.0", got ${JSON.stringify(specversion)}`);
  for (const name of REQUIRED) {
    const value = attributes[name];
    if (value === undefined) throw invalid(name, 'required');
    if (typeof value !== 'string') throw invalid(name, `must be a string, got ${typeof value}`);
    if (value === '') throw invalid(name, 'must not be empty');
  }
  for (const name of OPTIONAL_STRINGS) {
    const value = attributes[name];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw invalid(name, `must be a string, got ${typeof value}`);
    if (value === '') throw invalid(name, 'must not be empty when present');
  }
  const { datacontenttype, time } = attributes as Record<string, string | undefined>;
  if (datacontenttype !== undefined && !MEDIA_TYPE.test(datacontenttype)) throw invalid('datacontenttype', `${JSON.stringify(datacontenttype)} is not an RFC 2046 media type`);
  if (time !== undefined) checkTime(time);
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value === 'number' && !(Number.isInteger(value) && value >= INT32.min && value <= INT32.max)) {
      throw invalid(name, `${value} is not a CloudEvents Integer (32-bit signed)`);
    }
  }
}

function checkTime(time: string): void {
  const m = RFC3339.exec(time);
  const bad = () => invalid('time', `${JSON.stringify(time)} is not an RFC 3339 timestamp`);
  if (!m) throw bad();
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 60) throw bad();
  if (m[9] !== undefined && (Number(m[10]) > 23 || Number(m[11]) > 59)) throw bad();
}

/** The SDK's JSON schema: URI-reference source, URI dataschema, extension names and value types. */
function checkWithSdk({ attributes, data }: CloudEventMessage): void {
  try {
    new CloudEvent({ ...attributes, ...(data ? { data_base64: data.toString('base64') } : {}) }, true);
  } catch (err) {
    const details = (err as { errors?: { instancePath?: string; message?: string }[] }).errors ?? [];
    const first = details.find((d) => d.instancePath);
    const attribute = first?.instancePath?.replace(/^\//, '').split('/')[0];
    throw invalid(attribute, first?.message ?? (err instanceof ValidationError ? err.message.split('\n')[0]! : String(err)));
  }
}

export function isJsonContentType(contentType: unknown): boolean {
  if (contentType === undefined) return true;
  const media = String(contentType).split(';')[0]!.trim().toLowerCase();
  return media === 'application/json' || media === 'text/json' || /^application\/[^/]+\+json$/.test(media);
}

// HTTP binding §3.1.3.2: header values are percent-encoded UTF-8.
function percentDecode(name: string, value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    throw invalid(name, 'the header value is not valid percent-encoded UTF-8');
  }
}
