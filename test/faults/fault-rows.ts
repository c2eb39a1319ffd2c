// Hand-made input rows for the data fault scenarios, and what the policy
// engine makes of them (the expected side of an exact comparison).
import type { Source } from '../../shared/contracts/window-requested.js';
import { demoPolicies } from '../../shared/demo/demo-policies.js';
import { compilePolicies } from '../../shared/policy/policy-engine.js';

export type InputRow = [Source, Record<string, unknown>];

/** An RFC3339 time `offsetMs` after `base`, with these microsecond digits when given. */
export function at(base: number, offsetMs: number, micros = ''): string {
  const iso = new Date(base + offsetMs).toISOString();
  return micros ? `${iso.slice(0, 23)}${micros}Z` : iso;
}

/** A whole second an hour into the seeded range: demo rows have microseconds, these have none or their own. */
export function quietSecond(rangeStart: string): number {
  return Math.floor((Date.parse(rangeStart) + 60 * 60_000) / 1000) * 1000;
}

export function configMapCreate(auditID: string | undefined, time: string, name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'RequestResponse',
    ...(auditID !== undefined ? { auditID } : {}),
    stage: 'ResponseComplete',
    requestURI: `/api/v1/namespaces/default/configmaps`,
    verb: 'create',
    user: { username: 'alice@example.com', uid: 'u-alice', groups: ['system:authenticated'] },
    objectRef: { resource: 'configmaps', namespace: 'default', name, apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 201 },
    requestReceivedTimestamp: time,
    stageTimestamp: time,
    ...extra,
  };
}

/** A core v1 Event (no eventTime: its stored time is lastTimestamp) of a crashing pod. */
export function backOff(uid: string, lastTimestamp: string, message: string): Record<string, unknown> {
  return {
    kind: 'Event',
    apiVersion: 'v1',
    metadata: { name: `web-0.${uid.slice(0, 8)}`, namespace: 'default', uid, creationTimestamp: lastTimestamp.slice(0, 19) + 'Z' },
    involvedObject: { apiVersion: 'v1', kind: 'Pod', name: 'web-0', namespace: 'default', uid: 'pod-web-0' },
    reason: 'BackOff',
    message,
    source: { component: 'kubelet' },
    lastTimestamp,
    eventTime: null,
    type: 'Warning',
  };
}

/** `origin_id  summary` of what the policy engine makes of inputs, the later of two on one sink key winning. */
export function expectedRows(inputs: InputRow[]): string[] {
  const engine = compilePolicies(demoPolicies);
  const byKey = new Map<string, string>();
  for (const [source, input] of inputs) {
    const out = engine.evaluate(source, input);
    if (out.outcome !== 'activity') continue;
    const a = out.activity;
    byKey.set(`${a.spec.tenant?.type}/${a.spec.tenant?.name}/${a.metadata.creationTimestamp}/${a.spec.origin.id}`, `${a.spec.origin.id}  ${a.spec.summary}`);
  }
  return [...byKey.values()];
}

export const sorted = (rows: string[]): string[] => [...rows].sort();
