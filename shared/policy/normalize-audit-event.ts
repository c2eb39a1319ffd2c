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

/**
 * `omitempty` string fields: absent when empty. The error path is built only
 * on failure: this runs for a dozen fields of every input.
 */
function copyStrings(from: Json, to: Json, keys: readonly string[], path: string): void {
  for (const key of keys) {
    const v = from[key];
    if (typeof v === 'string') {
      if (v !== '') to[key] = v;
    } else if (v !== undefined && v !== null) {
      fail(`${path}.${key}`, 'a string');
    }
  }
}

function isStringList(v: unknown): v is string[] {
  if (!Array.isArray(v)) return false;
  for (const item of v) if (typeof item !== 'string') return false;
  return true;
}

function stringList(v: unknown, path: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isStringList(v)) fail(path, 'a list of strings');
  return v.length > 0 ? v : undefined;
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

interface UserPaths {
  user: string;
  groups: string;
  extra: string;
}

// Built once, not per input.
const USER_PATHS: UserPaths = { user: 'user', groups: 'user.groups', extra: 'user.extra' };
const IMPERSONATED_PATHS: UserPaths = { user: 'impersonatedUser', groups: 'impersonatedUser.groups', extra: 'impersonatedUser.extra' };

function userInfo(v: unknown, paths: UserPaths): Json {
  const user = obj(v, paths.user);
  const out: Json = {};
  if (!user) return out;
  const username = optionalString(user.username, paths.user, 'username');
  const uid = optionalString(user.uid, paths.user, 'uid');
  if (username !== '') out.username = username;
  if (uid !== '') out.uid = uid;
  const groups = stringList(user.groups, paths.groups);
  if (groups) out.groups = groups;
  const extra = obj(user.extra, paths.extra);
  if (extra) {
    let any = false;
    for (const key in extra) {
      // ExtraValue is []string; a null value decodes to a nil slice, kept as null.
      const value = extra[key];
      if (value !== null && !isStringList(value)) fail(`${paths.extra}.${key}`, 'a list of strings');
      any = true;
    }
    if (any) out.extra = extra;
  }
  return out;
}

const TYPE_FIELDS = ['kind', 'apiVersion'] as const;
const LIST_META_FIELDS = ['selfLink', 'resourceVersion', 'continue'] as const;
const STATUS_FIELDS = ['status', 'message', 'reason'] as const;

function optionalString(v: unknown, path: string, key: string): string {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return '';
  return fail(`${path}.${key}`, 'a string');
}

// Spelled out rather than copyStrings: named property reads stay cheap
// (monomorphic) on the one object every input has. Same fields, same order.
function objectRef(v: unknown): Json | undefined {
  const ref = obj(v, 'objectRef');
  if (!ref) return undefined;
  const resource = optionalString(ref.resource, 'objectRef', 'resource');
  const namespace = optionalString(ref.namespace, 'objectRef', 'namespace');
  const name = optionalString(ref.name, 'objectRef', 'name');
  const uid = optionalString(ref.uid, 'objectRef', 'uid');
  const apiGroup = optionalString(ref.apiGroup, 'objectRef', 'apiGroup');
  const apiVersion = optionalString(ref.apiVersion, 'objectRef', 'apiVersion');
  const resourceVersion = optionalString(ref.resourceVersion, 'objectRef', 'resourceVersion');
  const subresource = optionalString(ref.subresource, 'objectRef', 'subresource');
  const out: Json = {};
  if (resource !== '') out.resource = resource;
  if (namespace !== '') out.namespace = namespace;
  if (name !== '') out.name = name;
  if (uid !== '') out.uid = uid;
  if (apiGroup !== '') out.apiGroup = apiGroup;
  if (apiVersion !== '') out.apiVersion = apiVersion;
  if (resourceVersion !== '') out.resourceVersion = resourceVersion;
  if (subresource !== '') out.subresource = subresource;
  return out;
}

function responseStatus(v: unknown): Json {
  const status = obj(v, 'responseStatus');
  if (!status) return {};
  const out: Json = {};
  copyStrings(status, out, TYPE_FIELDS, 'responseStatus');
  // ListMeta has no omitempty: metadata is always there, often `{}`.
  const meta = obj(status.metadata, 'responseStatus.metadata') ?? {};
  const metadata: Json = {};
  copyStrings(meta, metadata, LIST_META_FIELDS, 'responseStatus.metadata');
  const remaining = num(meta.remainingItemCount, 'responseStatus.metadata.remainingItemCount');
  if (remaining !== 0) metadata.remainingItemCount = remaining;
  out.metadata = metadata;
  copyStrings(status, out, STATUS_FIELDS, 'responseStatus');
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
  copyStrings(raw, out, TYPE_FIELDS, 'event');
  // Required fields: present even when empty.
  out.level = str(raw.level, 'level');
  out.auditID = str(raw.auditID, 'auditID');
  out.stage = str(raw.stage, 'stage');
  out.requestURI = str(raw.requestURI, 'requestURI');
  out.verb = str(raw.verb, 'verb');
  out.user = userInfo(raw.user, USER_PATHS);
  if (raw.impersonatedUser !== undefined && raw.impersonatedUser !== null) {
    out.impersonatedUser = userInfo(raw.impersonatedUser, IMPERSONATED_PATHS);
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
