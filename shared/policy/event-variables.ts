/** The CEL activation for one Kubernetes Event (ACTIVITY-FORMAT.md §2). */
export interface EventVariables {
  event: Record<string, unknown>;
  actor: string;
  actorRef: { type: string; name: string };
}

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

export function eventVariables(event: Record<string, unknown>): EventVariables {
  // CEL sees `regarding` even on core v1 Events; copy the top level only.
  const withRegarding =
    (event.regarding === undefined || event.regarding === null) && isMap(event.involvedObject)
      ? { ...event, regarding: event.involvedObject }
      : event;
  const actor = eventActor(event);
  return { event: withRegarding, actor, actorRef: { type: 'controller', name: actor } };
}
