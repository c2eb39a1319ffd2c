import { hash } from 'node:crypto';

/**
 * `act-` + 12 hex of SHA-256 over originType 0 originID 0 apiGroup 0 kind,
 * group and kind from the policy: the live processor's name, so a re-index
 * lands on the same key. `suffix` is the policy's part, built once.
 */
export function activityNameSuffix(apiGroup: string, kind: string): string {
  return `\0${apiGroup}\0${kind}`;
}

export function activityName(originType: string, originId: string, suffix: string): string {
  // One-shot crypto.hash: no Hash object per activity on the hot path.
  return `act-${hash('sha256', `${originType}\0${originId}${suffix}`, 'hex').slice(0, 12)}`;
}
