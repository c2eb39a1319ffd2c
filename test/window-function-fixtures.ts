// Shared inputs of the window-function tests: a policy snapshot, window
// requests, and CloudEvent HTTP requests in either mode.
import { CloudEvent, HTTP } from 'cloudevents';
import {
  controllerSource,
  EXT_JOB,
  EXT_WINDOW,
  requestedId,
  WINDOW_REQUESTED,
  windowSubject,
} from '../shared/contracts/cloud-event-types.js';
import type { PolicySnapshot, WindowRequested } from '../shared/contracts/window-requested.js';
import { signEvent } from '../shared/signing/event-signature.js';

/** The REINDEX_SIGNING_KEY of the tests: pass it to the functions and the controller. */
export const TEST_SIGNING_KEY = 'test-signing-key-0123456789abcdef0123456789';

/** Policies over the demo data: deployments and pods (audit and event), and two whose CEL fails at run time. */
export const TEST_POLICIES: PolicySnapshot[] = [
  {
    metadata: { name: 'deployments', resourceVersion: '1' },
    spec: {
      resource: { apiGroup: 'apps', kind: 'Deployment' },
      auditRules: [
        { name: 'create', match: "audit.verb == 'create'", summary: '{{ actor }} created deployment {{ link(audit.objectRef.name, audit.objectRef) }}' },
        { name: 'change', match: "audit.verb in ['update', 'patch']", summary: '{{ actor }} changed deployment {{ audit.objectRef.name }}' },
        { name: 'delete', match: "audit.verb == 'delete'", summary: '{{ actor }} deleted deployment {{ audit.objectRef.name }}' },
      ],
      eventRules: [{ name: 'scaled', match: "event.reason == 'ScalingReplicaSet'", summary: '{{ actor }} scaled {{ event.regarding.name }}' }],
    },
  },
  {
    metadata: { name: 'pods', resourceVersion: '7' },
    spec: {
      resource: { apiGroup: '', kind: 'Pod' },
      auditRules: [{ name: 'delete', match: "audit.verb == 'delete'", summary: '{{ actor }} deleted pod {{ audit.objectRef.name }}' }],
      eventRules: [{ name: 'any', match: 'has(event.reason)', summary: '{{ event.reason }}: {{ event.regarding.name }}' }],
    },
  },
  {
    // `objectRef` has no `owner` key: every configmap input is a CEL error.
    metadata: { name: 'configmaps-broken', resourceVersion: '3' },
    spec: {
      resource: { apiGroup: '', kind: 'ConfigMap' },
      auditRules: [{ name: 'owner', match: "audit.objectRef.owner == 'x'", summary: 'never' }],
    },
  },
  {
    // Matches every ReplicaSet event, but its summary reads a missing key: an error, no activity.
    metadata: { name: 'replicasets-broken', resourceVersion: '4' },
    spec: {
      resource: { apiGroup: 'apps', kind: 'ReplicaSet' },
      eventRules: [{ name: 'note', match: 'true', summary: '{{ event.missingField }}' }],
    },
  },
];

export interface RequestOverrides {
  job?: Partial<WindowRequested['job']>;
  window?: Partial<WindowRequested['window']>;
  batchSize?: number;
  dryRun?: boolean;
  rateLimit?: number;
  policies?: PolicySnapshot[];
}

export function windowRequest(o: RequestOverrides = {}): WindowRequested {
  return {
    job: { name: 'backfill', uid: 'job-uid-1', generation: 1, ...o.job },
    window: {
      index: 0,
      source: 'audit',
      from: '2025-01-01T00:00:00.000Z',
      to: '2025-01-02T00:00:00.000Z',
      expectedEvents: 0,
      ...o.window,
    },
    batchSize: o.batchSize ?? 500,
    dryRun: o.dryRun ?? false,
    rateLimit: o.rateLimit ?? 1_000_000,
    policies: o.policies ?? TEST_POLICIES,
    discovery: {},
  };
}

/** A window.requested as the controller sends it, signed with TEST_SIGNING_KEY (or `key`). */
export function requestedEvent(data: unknown, type = WINDOW_REQUESTED, key = TEST_SIGNING_KEY): CloudEvent<unknown> {
  const d = data as WindowRequested;
  const job = d?.job?.name ?? 'backfill';
  const index = d?.window?.index ?? 0;
  const event = new CloudEvent<unknown>({
    id: requestedId(d?.job?.uid ?? 'job-uid-1', index),
    type,
    source: controllerSource(job),
    subject: windowSubject(job, index),
    datacontenttype: 'application/json',
    data,
    [EXT_JOB]: job,
    [EXT_WINDOW]: index,
  });
  return signEvent(event, key);
}

/** A fetch() init POSTing the event in binary (ce-* headers) or structured mode. */
export function cloudEventPost(event: CloudEvent<unknown>, mode: 'binary' | 'structured' = 'binary'): RequestInit {
  const message = mode === 'binary' ? HTTP.binary(event) : HTTP.structured(event);
  return { method: 'POST', headers: message.headers as Record<string, string>, body: message.body as string };
}
