// Real dependencies of the aggregator from a KubeConfig: what main.ts and
// the local stack use.
import { CustomObjectsApi, EventsV1Api, type KubeConfig } from '@kubernetes/client-node';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { createEventRecorder } from '../../shared/kube/record-event.js';
import { createJobMetrics } from '../../shared/metrics/job-metrics.js';
import type { Logger } from '../../shared/log.js';
import type { AggregatorDeps } from './aggregator-deps.js';
import { createStatusWriter } from './status-writer.js';

export const AGGREGATOR_CONTROLLER = 'activity.miloapis.com/reindex-aggregator';

export interface AggregatorOptions {
  kubeConfig: KubeConfig;
  log: Logger;
  /** REINDEX_SIGNING_KEY: results and dead letters must be signed with it. */
  signingKey: string;
  /** Largest accepted request body (default 1 MiB). */
  maxBodyBytes?: number;
  eventsNamespace?: string;
  instance?: string;
  registry?: Registry;
  /** At most one status write per job per this many ms (status-writer.ts). */
  statusWriteIntervalMs?: number;
  /** A result not yet written after this long is answered 503 (it stays queued). */
  statusWriteMaxWaitMs?: number;
  now?: () => Date;
}

export function buildAggregatorDeps(opts: AggregatorOptions): AggregatorDeps {
  const registry = opts.registry ?? new Registry();
  if (!opts.registry) collectDefaultMetrics({ register: registry });
  return {
    status: createStatusWriter({
      jobs: opts.kubeConfig.makeApiClient(CustomObjectsApi),
      recordEvent: createEventRecorder({
        api: opts.kubeConfig.makeApiClient(EventsV1Api),
        controller: AGGREGATOR_CONTROLLER,
        instance: opts.instance ?? 'reindex-aggregator',
        namespace: opts.eventsNamespace,
        log: opts.log,
      }),
      log: opts.log,
      intervalMs: opts.statusWriteIntervalMs,
      maxWaitMs: opts.statusWriteMaxWaitMs,
      now: opts.now,
    }),
    metrics: createJobMetrics(registry),
    registry,
    log: opts.log,
    signingKey: opts.signingKey,
    maxBodyBytes: opts.maxBodyBytes,
  };
}
