// Kubernetes Events (events.k8s.io/v1) about a ReindexJob. The job is
// cluster-scoped, so its Events live in one namespace ("default", as kubectl
// looks there for cluster-scoped objects). Best effort: a lost Event must
// never fail the work it describes.
import { randomBytes } from 'node:crypto';
import type { EventsV1Api } from '@kubernetes/client-node';
import type { ReindexJob } from '../api/reindex-job.js';
import type { Logger } from '../log.js';
import type { JobEvent } from './job-event.js';

/** Records one Event; never rejects (a failure is logged), so callers need no guard. */
export type RecordEvent = (job: ReindexJob, event: JobEvent) => Promise<void>;

export interface EventRecorderOptions {
  api: EventsV1Api;
  /** reportingController, e.g. "activity.miloapis.com/reindex-aggregator". */
  controller: string;
  /** reportingInstance, e.g. the pod name. */
  instance: string;
  namespace?: string;
  log: Logger;
}

export function jobEventBody(job: ReindexJob, event: JobEvent, opts: { controller: string; instance: string; namespace: string; now: Date }) {
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: `${job.metadata.name}.${randomBytes(8).toString('hex')}`, namespace: opts.namespace },
    eventTime: opts.now,
    reportingController: opts.controller,
    reportingInstance: opts.instance,
    action: event.reason,
    reason: event.reason,
    note: event.message.slice(0, 1024),
    type: event.type,
    regarding: { apiVersion: job.apiVersion, kind: job.kind, name: job.metadata.name, uid: job.metadata.uid, resourceVersion: job.metadata.resourceVersion },
  };
}

export function createEventRecorder(opts: EventRecorderOptions): RecordEvent {
  const namespace = opts.namespace ?? 'default';
  return async (job, event) => {
    try {
      const body = jobEventBody(job, event, { controller: opts.controller, instance: opts.instance, namespace, now: new Date() });
      await opts.api.createNamespacedEvent({ namespace, body });
    } catch (err) {
      opts.log.warn({ err, reindexJob: job.metadata.name, reason: event.reason }, 'Failed to record Event for ReindexJob');
    }
  };
}
