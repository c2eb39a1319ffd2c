import { LABEL_PREFIX, POLICY_NAME_LABEL, type Activity, type ActivityActor, type ActivityLink, type ActivityResource, type ActivitySource, type ChangeSource } from '../api/activity.js';
import { activityName } from './activity-name.js';
import { auditTenant, eventTenant, type Tenant } from './tenant.js';
import { parseRfc3339, formatSecondsUtc } from './rfc3339.js';
import { InvalidInputError } from './invalid-input-error.js';
import { resourceShape } from './resource-shape.js';
import type { EventSource } from './event-variables.js';

/** What the matched policy contributes to every activity it builds. */
export interface PolicyIdentity {
  name: string;
  apiGroup: string;
  kind: string;
  /** activityNameSuffix(apiGroup, kind), computed once per policy. */
  nameSuffix: string;
}

export interface Rendered {
  summary: string;
  links: ActivityLink[];
}

type Json = Record<string, unknown>;

function s(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function isMap(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

interface Parts {
  originType: 'audit' | 'event';
  originId: string;
  namespace: string;
  creationTimestamp: string;
  changeSource: ChangeSource;
  actor: ActivityActor;
  resource: ActivityResource;
  tenant: Tenant;
  eventReason?: string;
  source?: ActivitySource;
}

const ORIGIN_TYPE = `${LABEL_PREFIX}origin-type`;
const CHANGE_SOURCE = `${LABEL_PREFIX}change-source`;
const API_GROUP = `${LABEL_PREFIX}api-group`;
const RESOURCE_KIND = `${LABEL_PREFIX}resource-kind`;
const EVENT_REASON = `${LABEL_PREFIX}event-reason`;

function assemble(policy: PolicyIdentity, rendered: Rendered, p: Parts): Activity {
  const labels: Record<string, string> = {
    [ORIGIN_TYPE]: p.originType,
    [CHANGE_SOURCE]: p.changeSource,
    [API_GROUP]: policy.apiGroup,
    [RESOURCE_KIND]: policy.kind,
  };
  if (p.eventReason !== undefined) labels[EVENT_REASON] = p.eventReason;
  labels[POLICY_NAME_LABEL] = policy.name;
  // Key order follows the live processor's JSON, for readable diffs.
  const name = activityName(p.originType, p.originId, policy.nameSuffix);
  const metadata: Activity['metadata'] =
    p.namespace !== ''
      ? { name, namespace: p.namespace, creationTimestamp: p.creationTimestamp, labels }
      : { name, creationTimestamp: p.creationTimestamp, labels };
  const spec: Activity['spec'] = { summary: rendered.summary, changeSource: p.changeSource, actor: p.actor, resource: p.resource } as Activity['spec'];
  if (rendered.links.length > 0) spec.links = rendered.links;
  spec.tenant = p.tenant;
  spec.origin = { type: p.originType, id: p.originId };
  if (p.source) spec.source = p.source;
  return { kind: 'Activity', apiVersion: 'activity.miloapis.com/v1alpha1', metadata, spec };
}


/** `audit` is the normalized audit event (timestamps already six-digit UTC). */
export function buildAuditActivity(audit: Json, policy: PolicyIdentity, rendered: Rendered): Activity {
  // Normalized already (MicroTime, UTC): the seconds are its first 19 characters.
  const received = audit.requestReceivedTimestamp;
  // Decision (ACTIVITY-FORMAT.md §4): never stamp a re-indexed activity "now".
  if (typeof received !== 'string') throw new InvalidInputError('audit event has no requestReceivedTimestamp');
  const user = audit.user as Json;
  const objectRef = audit.objectRef as Json;
  const username = s(user.username);
  const system = username.startsWith('system:');
  const actor: ActivityActor = { type: system ? 'system' : 'user', name: (system ? username.slice('system:'.length) : username) || 'unknown' };
  if (s(user.uid) !== '') actor.uid = s(user.uid);
  if (username.includes('@')) actor.email = username;
  const responseObject = audit.responseObject;
  const uid = isMap(responseObject) && isMap(responseObject.metadata) ? s(responseObject.metadata.uid) : '';
  return assemble(policy, rendered, {
    originType: 'audit',
    originId: s(audit.auditID),
    namespace: s(objectRef.namespace),
    creationTimestamp: `${received.slice(0, 19)}Z`,
    changeSource: system ? 'system' : 'human',
    actor,
    resource: resourceShape(policy.apiGroup, s(objectRef.apiVersion), policy.kind, s(objectRef.name), s(objectRef.namespace), uid),
    tenant: auditTenant(isMap(user.extra) ? user.extra : undefined),
  });
}

const EVENT_TIMES = ['eventTime', 'lastTimestamp', 'firstTimestamp'] as const;

/**
 * The live processor's `spec.source`: set when any source-* annotation is,
 * each field omitted when empty (Go's omitempty on a pointer to the struct).
 */
function activitySource(source: EventSource): ActivitySource | undefined {
  const out: ActivitySource = {};
  if (source.planeType !== '') out.planeType = source.planeType;
  if (source.cluster !== '') out.cluster = source.cluster;
  if (source.region !== '') out.region = source.region;
  if (source.city !== '') out.city = source.city;
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * `subject` is eventSubject(event): regarding, else involvedObject;
 * `originId` is eventOriginId (qualified for a federated Event).
 */
export function buildEventActivity(event: Json, subject: Json, policy: PolicyIdentity, rendered: Rendered, originId: string, federation: EventSource): Activity {
  const metadata = isMap(event.metadata) ? event.metadata : {};
  let when = undefined;
  for (const key of EVENT_TIMES) {
    when = parseRfc3339(event[key]);
    if (when) break;
  }
  when ??= parseRfc3339(metadata.creationTimestamp);
  if (!when) throw new InvalidInputError('event has no usable eventTime, lastTimestamp, firstTimestamp or metadata.creationTimestamp');
  // core/v1's `source` (the reporting component), not the federation source.
  const reporter = isMap(event.source) ? event.source : {};
  const controller = s(event.reportingController) || s(reporter.component) || 'unknown';
  return assemble(policy, rendered, {
    originType: 'event',
    originId,
    namespace: s(subject.namespace),
    creationTimestamp: formatSecondsUtc(when),
    changeSource: 'system',
    actor: { type: 'controller', name: controller },
    resource: resourceShape(policy.apiGroup, s(subject.apiVersion), policy.kind, s(subject.name), s(subject.namespace), s(subject.uid)),
    tenant: eventTenant(metadata.annotations),
    eventReason: s(event.reason),
    source: activitySource(federation),
  });
}
