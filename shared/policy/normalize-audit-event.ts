import { InvalidInputError } from './invalid-input-error.js';
import { formatMicrosUtc, parseRfc3339 } from './rfc3339.js';

// The live processor decodes into the typed audit.k8s.io/v1 Event and hands
// CEL the JSON of that struct. Decoding drops unknown fields, `omitempty`
// drops empty optional ones, MicroTime re-renders timestamps, and re-decoding
// into a map makes every number a double (which JS numbers already are).
// This rebuilds that map in one pass, sharing the raw request/response
// objects rather than copying them (runtime.Unknown keeps their bytes as-is).

type Json = Record<string, unknown>;

function isMap(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail(path: string, want: string): never {
  throw new InvalidInputError(`audit event field ${path}: expected ${want}`);
}

function str(v: unknown, path: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') fail(path, 'a string');
  return v;
}

function num(v: unknown, path: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number') fail(path, 'a number');
  return v;
}

function obj(v: unknown, path: string): Json | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isMap(v)) fail(path, 'an object');
  return v;
}

/** `omitempty` string fields: absent when empty. */
function copyStrings(from: Json, to: Json, keys: readonly string[], path: string): void {
  for (const key of keys) {
    const v = str(from[key], `${path}.${key}`);
    if (v !== '') to[key] = v;
  }
}

function stringList(v: unknown, path: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) fail(path, 'a list of strings');
  for (const item of v) if (typeof item !== 'string') fail(path, 'a list of strings');
  return v.length > 0 ? (v as string[]) : undefined;
}

function stringMap(v: unknown, path: string): Record<string, string> | undefined {
  const m = obj(v, path);
  if (!m) return undefined;
  let empty = true;
  for (const key in m) {
    if (typeof m[key] !== 'string') fail(`${path}.${key}`, 'a string');
    empty = false;
  }
  return empty ? undefined : (m as Record<string, string>);
}

function userInfo(v: unknown, path: string): Json {
  const user = obj(v, path);
  const out: Json = {};
  if (!user) return out;
  copyStrings(user, out, ['username', 'uid'], path);
  const groups = stringList(user.groups, `${path}.groups`);
  if (groups) out.groups = groups;
  const extra = obj(user.extra, `${path}.extra`);
  if (extra) {
    let any = false;
    for (const key in extra) {
      // ExtraValue is []string; a null value decodes to a nil slice, kept as null.
      if (extra[key] !== null) stringList(extra[key], `${path}.extra.${key}`);
      any = true;
    }
    if (any) out.extra = extra;
  }
  return out;
}

const OBJECT_REF_FIELDS = ['resource', 'namespace', 'name', 'uid', 'apiGroup', 'apiVersion', 'resourceVersion', 'subresource'] as const;

function objectRef(v: unknown): Json | undefined {
  const ref = obj(v, 'objectRef');
  if (!ref) return undefined;
  const out: Json = {};
  copyStrings(ref, out, OBJECT_REF_FIELDS, 'objectRef');
  return out;
}

function responseStatus(v: unknown): Json {
  const status = obj(v, 'responseStatus');
  if (!status) return {};
  const out: Json = {};
  copyStrings(status, out, ['kind', 'apiVersion'], 'responseStatus');
  // ListMeta has no omitempty: metadata is always there, often `{}`.
  const meta = obj(status.metadata, 'responseStatus.metadata') ?? {};
  const metadata: Json = {};
  copyStrings(meta, metadata, ['selfLink', 'resourceVersion', 'continue'], 'responseStatus.metadata');
  const remaining = num(meta.remainingItemCount, 'responseStatus.metadata.remainingItemCount');
  if (remaining !== 0) metadata.remainingItemCount = remaining;
  out.metadata = metadata;
  copyStrings(status, out, ['status', 'message', 'reason'], 'responseStatus');
  const details = obj(status.details, 'responseStatus.details');
  if (details) {
    const d: Json = {};
    copyStrings(details, d, ['name', 'group', 'kind', 'uid'], 'responseStatus.details');
    if (details.causes !== undefined && details.causes !== null) {
      if (!Array.isArray(details.causes)) fail('responseStatus.details.causes', 'a list');
      if (details.causes.length > 0) {
        d.causes = details.causes.map((c, i) => {
          const cause = obj(c, `responseStatus.details.causes[${i}]`) ?? {};
          const o: Json = {};
          copyStrings(cause, o, ['reason', 'message', 'field'], `responseStatus.details.causes[${i}]`);
          return o;
        });
      }
    }
    const retry = num(details.retryAfterSeconds, 'responseStatus.details.retryAfterSeconds');
    if (retry !== 0) d.retryAfterSeconds = retry;
    out.details = d;
  }
  const code = num(status.code, 'responseStatus.code');
  if (code !== 0) out.code = code;
  return out;
}

/** MicroTime: zero marshals as null; anything RFC3339 is accepted (Decision). */
function microTime(v: unknown, path: string): string | null {
  if (v === undefined || v === null || v === '') return null;
  const instant = parseRfc3339(v);
  if (!instant) fail(path, 'an RFC3339 timestamp');
  // Most stored events are already in MicroTime's form: keep the string.
  const text = v as string;
  if (text.length === 27 && text[26] === 'Z' && text[19] === '.' && text[10] === 'T') return text;
  return formatMicrosUtc(instant);
}

/**
 * The `audit` CEL variable for one stored audit event. Throws
 * InvalidInputError where Go's typed decode would have failed.
 */
export function normalizeAuditEvent(raw: unknown): Json {
  if (!isMap(raw)) throw new InvalidInputError('audit event: expected a JSON object');
  const out: Json = {};
  copyStrings(raw, out, ['kind', 'apiVersion'], 'event');
  // Required fields: present even when empty.
  out.level = str(raw.level, 'level');
  out.auditID = str(raw.auditID, 'auditID');
  out.stage = str(raw.stage, 'stage');
  out.requestURI = str(raw.requestURI, 'requestURI');
  out.verb = str(raw.verb, 'verb');
  out.user = userInfo(raw.user, 'user');
  if (raw.impersonatedUser !== undefined && raw.impersonatedUser !== null) {
    out.impersonatedUser = userInfo(raw.impersonatedUser, 'impersonatedUser');
  }
  const sourceIPs = stringList(raw.sourceIPs, 'sourceIPs');
  if (sourceIPs) out.sourceIPs = sourceIPs;
  const userAgent = str(raw.userAgent, 'userAgent');
  if (userAgent !== '') out.userAgent = userAgent;
  out.objectRef = objectRef(raw.objectRef) ?? {};
  out.responseStatus = responseStatus(raw.responseStatus);
  out.requestObject = raw.requestObject ?? {};
  out.responseObject = raw.responseObject ?? {};
  out.requestReceivedTimestamp = microTime(raw.requestReceivedTimestamp, 'requestReceivedTimestamp');
  out.stageTimestamp = microTime(raw.stageTimestamp, 'stageTimestamp');
  const annotations = stringMap(raw.annotations, 'annotations');
  if (annotations) out.annotations = annotations;
  return out;
}
