// Real dependencies of the aggregator from a KubeConfig: what main.ts and
// the local stack use.
import { CustomObjectsApi, EventsV1Api, type KubeConfig } from '@kubernetes/client-node';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { createEventRecorder } from '../../shared/kube/record-event.js';
import { createJobMetrics } from '../../shared/metrics/job-metrics.js';
import type { Logger } from '../../shared/log.js';
import type { AggregatorDeps } from './aggregator-deps.js';

export const AGGREGATOR_CONTROLLER = 'activity.miloapis.com/reindex-aggregator';

export function buildAggregatorDeps(opts: { kubeConfig: KubeConfig; log: Logger; eventsNamespace?: string; instance?: string; registry?: Registry }): AggregatorDeps {
  const registry = opts.registry ?? new Registry();
  if (!opts.registry) collectDefaultMetrics({ register: registry });
  return {
    jobs: opts.kubeConfig.makeApiClient(CustomObjectsApi),
    recordEvent: createEventRecorder({
      api: opts.kubeConfig.makeApiClient(EventsV1Api),
      controller: AGGREGATOR_CONTROLLER,
      instance: opts.instance ?? 'reindex-aggregator',
      namespace: opts.eventsNamespace,
      log: opts.log,
    }),
    metrics: createJobMetrics(registry),
    registry,
    log: opts.log,
  };
}
