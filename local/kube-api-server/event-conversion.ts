// One Event store behind both Event APIs, as on a real server: core/v1 is
// the stored form, events.k8s.io/v1 a view of it, so an Event recorded
// through either shows in `kubectl describe`, `kubectl events` and
// `kubectl get events` (pkg/apis/events/v1 conversion, in small).
import type { KubeObject } from './object-store.js';
import { StatusError } from './status-error.js';

type Any = Record<string, any>;

function defined(obj: Any): Any {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined));
}

/** metav1.MicroTime's wire form (RFC 3339, six fractional digits): clients parse nothing else. */
function microTime(t: unknown): unknown {
  if (typeof t !== 'string' || Number.isNaN(Date.parse(t))) return t;
  const iso = new Date(t).toISOString(); // milliseconds; the stored time keeps no finer precision
  return `${iso.slice(0, 23)}000Z`;
}

/** A core/v1 Event as stored: MicroTime fields in their wire form. */
export function normalizeCoreEvent(e: KubeObject): KubeObject {
  if (!e || typeof e !== 'object') return e;
  const out: Any = { ...e };
  if (out.eventTime) out.eventTime = microTime(out.eventTime);
  if (out.series?.lastObservedTime) out.series = { ...out.series, lastObservedTime: microTime(out.series.lastObservedTime) };
  return out as KubeObject;
}

/** events.k8s.io/v1 → core/v1. */
export function toCoreEvent(e: Any): KubeObject {
  return normalizeCoreEvent(eventsV1ToCore(e));
}

function eventsV1ToCore(e: Any): KubeObject {
  const { regarding, note, reportingController, reportingInstance, deprecatedSource, deprecatedFirstTimestamp, deprecatedLastTimestamp, deprecatedCount, ...rest } = e ?? {};
  return defined({
    ...rest,
    apiVersion: 'v1',
    kind: 'Event',
    involvedObject: regarding ?? {},
    message: note,
    reportingComponent: reportingController ?? '',
    reportingInstance: reportingInstance ?? '',
    source: deprecatedSource ?? defined({ component: reportingController, host: reportingInstance }),
    firstTimestamp: deprecatedFirstTimestamp ?? null,
    lastTimestamp: deprecatedLastTimestamp ?? null,
    count: deprecatedCount,
  }) as KubeObject;
}

/** core/v1 → events.k8s.io/v1. */
export function toEventsV1Event(e: KubeObject): KubeObject {
  const { involvedObject, message, reportingComponent, reportingInstance, source, firstTimestamp, lastTimestamp, count, ...rest } = e as Any;
  return defined({
    ...rest,
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    regarding: involvedObject,
    note: message,
    reportingController: reportingComponent || source?.component,
    reportingInstance: reportingInstance || source?.host,
    deprecatedSource: source && Object.keys(source).length > 0 ? source : undefined,
    deprecatedFirstTimestamp: firstTimestamp ?? undefined,
    deprecatedLastTimestamp: lastTimestamp ?? undefined,
    deprecatedCount: count,
  }) as KubeObject;
}

/**
 * The namespace rule the real server applies to every Event it creates
 * (kubernetes pkg/apis/core/validation/events.go, legacyValidateEvent), on
 * the stored core/v1 form: an Event about a cluster-scoped object (no
 * involvedObject.namespace) lives in `default` or `kube-system` when it has
 * an eventTime, in `default` when it has none; any other Event lives in its
 * object's namespace. Refused with the server's 422 otherwise.
 */
export function assertEventNamespace(e: KubeObject, namespace: string, group: string): void {
  const event = e as Any;
  const involved: string = event.involvedObject?.namespace ?? '';
  const allowed = involved !== '' ? [involved] : event.eventTime ? ['default', 'kube-system'] : ['', 'default'];
  if (allowed.includes(namespace)) return;
  const name: string = event.metadata?.name ?? '';
  const message = `Invalid value: ${JSON.stringify(involved)}: does not match event.namespace`;
  throw new StatusError('Invalid', `Event${group ? `.${group}` : ''} ${JSON.stringify(name)} is invalid: involvedObject.namespace: ${message}`, {
    name,
    group,
    kind: 'Event',
    causes: [{ reason: 'FieldValueInvalid', message, field: 'involvedObject.namespace' }],
  });
}
