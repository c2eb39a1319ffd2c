import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { startKubeApiServer } from '../local/kube-api-server.js';
import { silentLogger } from '../shared/log.js';
import { leaseDecision } from './lease-decision.js';
import { startLeaderElection } from './leader-election.js';

const now = new Date('2026-01-01T00:00:00Z');
const lease = (holder: string | undefined, renewedSecondsAgo: number) => ({
  spec: { holderIdentity: holder, leaseDurationSeconds: 15, renewTime: new Date(now.getTime() - renewedSecondsAgo * 1000) },
});

test('a candidate creates a missing lease, renews its own, and takes over only an expired or released one', () => {
  assert.equal(leaseDecision(undefined, 'a', now), 'create');
  assert.equal(leaseDecision(lease('a', 10), 'a', now), 'renew');
  assert.equal(leaseDecision(lease('b', 10), 'a', now), 'wait');
  assert.equal(leaseDecision(lease('b', 16), 'a', now), 'take-over');
  assert.equal(leaseDecision(lease(undefined, 1), 'a', now), 'take-over');
});

test('of two replicas one leads, and the other takes over when the leader steps down', async (t) => {
  const kube = await startKubeApiServer();
  t.after(() => kube.close());
  const api = kube.kubeConfig().makeApiClient(CoordinationV1Api);
  const leading: string[] = [];
  const candidate = (identity: string) =>
    startLeaderElection({
      api,
      namespace: 'default',
      leaseName: 'reindex-controller',
      identity,
      retryPeriodMs: 50,
      log: silentLogger,
      onStartedLeading: async () => void leading.push(identity),
      onStoppedLeading: async () => void leading.push(`${identity} lost`),
    });
  const first = candidate('first');
  await waitFor(() => leading.length === 1);
  const second = candidate('second');
  t.after(() => second.stop());
  await new Promise((ok) => setTimeout(ok, 300));
  assert.deepEqual(leading, ['first'], 'the second waits while the first renews');
  await first.stop(); // releases the lease
  await waitFor(() => leading.length === 2);
  assert.deepEqual(leading, ['first', 'second']);
});

async function waitFor(probe: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((ok) => setTimeout(ok, 10));
  }
}

test('a replica whose controller fails to start releases the Lease at once, and another takes over', async (t) => {
  const kube = await startKubeApiServer();
  t.after(() => kube.close());
  const api = kube.kubeConfig().makeApiClient(CoordinationV1Api);
  const events: string[] = [];
  const broken = startLeaderElection({
    api, namespace: 'default', leaseName: 'reindex-controller', identity: 'broken', retryPeriodMs: 50, log: silentLogger,
    onStartedLeading: async () => {
      events.push('broken started');
      throw new Error('ClickHouse unreachable');
    },
    onStoppedLeading: async () => void events.push('broken stopped'),
  });
  t.after(() => broken.stop());
  await waitFor(() => events.includes('broken stopped'));
  const lease = await api.readNamespacedLease({ name: 'reindex-controller', namespace: 'default' });
  assert.equal(lease.spec?.holderIdentity, undefined, 'released, not renewed');
  // Well inside the 15 s lease duration: only a released Lease is taken this soon.
  const healthy = startLeaderElection({
    api, namespace: 'default', leaseName: 'reindex-controller', identity: 'healthy', retryPeriodMs: 50, log: silentLogger,
    onStartedLeading: async () => void events.push('healthy started'),
    onStoppedLeading: async () => undefined,
  });
  t.after(() => healthy.stop());
  await waitFor(() => events.includes('healthy started'));
  assert.deepEqual(events, ['broken started', 'broken stopped', 'healthy started']);
});
