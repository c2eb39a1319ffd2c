import type { CoordinationV1Api, V1Lease } from '@kubernetes/client-node';
import type { Logger } from '../shared/log.js';
import { leaseDecision } from './lease-decision.js';

export interface LeaderElectionOptions {
  api: CoordinationV1Api;
  namespace: string;
  leaseName: string;
  identity: string;
  leaseDurationSeconds?: number;
  retryPeriodMs?: number;
  log: Logger;
  onStartedLeading: () => Promise<void>;
  /** Called when the lease is lost; the caller should stop working at once (main exits). */
  onStoppedLeading: () => Promise<void>;
}

/**
 * A coordination.k8s.io/v1 Lease loop (client-node has no leader election
 * for v1): create or take over the Lease when free or expired, renew it every
 * retry period, and give up leading when renewals fail for a whole lease
 * duration, because by then another replica may have taken over. Writes are
 * guarded by resourceVersion, so of two candidates exactly one wins.
 */
export function startLeaderElection(opts: LeaderElectionOptions): { stop(): Promise<void> } {
  const duration = opts.leaseDurationSeconds ?? 15;
  const period = opts.retryPeriodMs ?? 2_000;
  const { api, namespace, leaseName: name, identity, log } = opts;
  let leading = false;
  let lastRenewal = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();

  const spec = (lease: V1Lease | undefined, now: Date) => ({
    holderIdentity: identity,
    leaseDurationSeconds: duration,
    acquireTime: lease?.spec?.holderIdentity === identity ? lease.spec.acquireTime : now,
    renewTime: now,
    leaseTransitions: (lease?.spec?.leaseTransitions ?? 0) + (lease?.spec?.holderIdentity === identity ? 0 : 1),
  });

  async function tryOnce(): Promise<boolean> {
    let lease: V1Lease | undefined;
    try {
      lease = await api.readNamespacedLease({ name, namespace });
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err;
    }
    const now = new Date();
    const decision = leaseDecision(lease, identity, now);
    if (decision === 'wait') return false;
    if (decision === 'create') {
      await api.createNamespacedLease({ namespace, body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec: spec(undefined, now) } });
    } else {
      await api.replaceNamespacedLease({ name, namespace, body: { ...lease!, spec: spec(lease, now) } });
    }
    return true;
  }

  async function release(): Promise<void> {
    try {
      const lease = await api.readNamespacedLease({ name, namespace });
      if (lease.spec?.holderIdentity === identity) {
        await api.replaceNamespacedLease({ name, namespace, body: { ...lease, spec: { ...lease.spec, holderIdentity: undefined, renewTime: undefined } } });
      }
    } catch (err) {
      log.warn({ err }, 'Failed to release controller Lease');
    }
  }

  async function tick() {
    if (stopped) return;
    let holding = false;
    try {
      holding = await tryOnce();
      if (holding) lastRenewal = Date.now();
    } catch (err) {
      log.warn({ err }, 'Failed to acquire or renew controller Lease');
    }
    if (holding && !leading) {
      leading = true;
      log.info({ identity }, 'Acquired controller Lease');
      try {
        await opts.onStartedLeading();
      } catch (err) {
        // Renewing a Lease nothing works under would keep every other replica out for good:
        // let it go at once, then stop as a lost Lease does (main exits; the Deployment restarts a candidate).
        log.error({ err, identity }, 'Failed to start the controller; releasing its Lease');
        leading = false;
        stopped = true;
        await release();
        await opts.onStoppedLeading();
        return;
      }
    }
    if (leading && Date.now() - lastRenewal > duration * 1000) {
      leading = false;
      log.error({ identity }, 'Lost controller Lease');
      await opts.onStoppedLeading();
    }
    if (!stopped) timer = setTimeout(() => void (current = tick()), period);
  }
  current = tick();

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      // A renewal still under way would take the lease back after the release below.
      await current;
      if (!leading) return;
      // Release so the next replica takes over at once instead of after the lease duration.
      await release();
    },
  };
}
