import type { V1Lease } from '@kubernetes/client-node';

export type LeaseDecision = 'create' | 'renew' | 'take-over' | 'wait';

/**
 * What a candidate does with the Lease it just read: keep it while it holds
 * it, take it once the holder has not renewed within leaseDurationSeconds.
 */
export function leaseDecision(lease: V1Lease | undefined, identity: string, now: Date): LeaseDecision {
  if (!lease) return 'create';
  const spec = lease.spec ?? {};
  if (spec.holderIdentity === identity) return 'renew';
  if (!spec.holderIdentity) return 'take-over';
  const renewed = spec.renewTime ? new Date(spec.renewTime).getTime() : 0;
  const expired = renewed + (spec.leaseDurationSeconds ?? 15) * 1000 <= now.getTime();
  return expired ? 'take-over' : 'wait';
}
