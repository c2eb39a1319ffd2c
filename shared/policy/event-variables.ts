/**
 * Where a federated Event came from: its exporter's source-* annotations,
 * each "" when absent (ACTIVITY-FORMAT.md §6).
 */
export interface EventSource {
  planeType: string;
  cluster: string;
  region: string;
  city: string;
}

/** The CEL activation for one Kubernetes Event (ACTIVITY-FORMAT.md §2, §6). */
export interface EventVariables {
  event: Record<string, unknown>;
  actor: string;
  actorRef: { type: string; name: string };
  source: EventSource;
}

const SOURCE_ANNOTATION = {
  planeType: 'activity.miloapis.com/source-plane-type',
  cluster: 'activity.miloapis.com/source-cluster',
  region: 'activity.miloapis.com/source-region',
  city: 'activity.miloapis.com/source-city',
} as const;

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function nonEmptyString(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** reportingController, else source.component, else "". */
export function eventActor(event: Record<string, unknown>): string {
  const controller = nonEmptyString(event.reportingController);
  if (controller !== '') return controller;
  return isMap(event.source) ? nonEmptyString(event.source.component) : '';
}

/**
 * The object an Event is about: `regarding` (events.k8s.io/v1), else
 * `involvedObject` (core v1); undefined when neither is a map.
 */
export function eventSubject(event: Record<string, unknown>): Record<string, unknown> | undefined {
  if (isMap(event.regarding)) return event.regarding;
  if (event.regarding === undefined || event.regarding === null) {
    if (isMap(event.involvedObject)) return event.involvedObject;
  }
  return undefined;
}

/** The `source` variable: always all four keys, so a rule reading one never errors. */
export function eventSource(event: Record<string, unknown>): EventSource {
  const annotations = isMap(event.metadata) && isMap(event.metadata.annotations) ? event.metadata.annotations : {};
  return {
    planeType: nonEmptyString(annotations[SOURCE_ANNOTATION.planeType]),
    cluster: nonEmptyString(annotations[SOURCE_ANNOTATION.cluster]),
    region: nonEmptyString(annotations[SOURCE_ANNOTATION.region]),
    city: nonEmptyString(annotations[SOURCE_ANNOTATION.city]),
  };
}

/**
 * An Event's origin id: its metadata.uid, prefixed `<planeType>/<cluster>/`
 * when both are set, so equal uids from two federated clusters stay apart.
 */
export function eventOriginId(uid: string, source: EventSource): string {
  return source.planeType !== '' && source.cluster !== '' ? `${source.planeType}/${source.cluster}/${uid}` : uid;
}

export function eventVariables(event: Record<string, unknown>, source: EventSource = eventSource(event)): EventVariables {
  // CEL sees `regarding` even on core v1 Events; copy the top level only.
  const withRegarding =
    (event.regarding === undefined || event.regarding === null) && isMap(event.involvedObject)
      ? { ...event, regarding: event.involvedObject }
      : event;
  const actor = eventActor(event);
  return { event: withRegarding, actor, actorRef: { type: 'controller', name: actor }, source };
}
