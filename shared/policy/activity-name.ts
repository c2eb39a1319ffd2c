import { createHash } from 'node:crypto';

/**
 * `act-` + 12 hex of SHA-256 over originType 0 originID 0 apiGroup 0 kind,
 * group and kind from the policy: the live processor's name, so a re-index
 * lands on the same key. `suffix` is the policy's part, built once.
 */
export function activityNameSuffix(apiGroup: string, kind: string): string {
  return `\0${apiGroup}\0${kind}`;
}

export function activityName(originType: string, originId: string, suffix: string): string {
  return `act-${createHash('sha256').update(`${originType}\0${originId}${suffix}`).digest('hex').slice(0, 12)}`;
}
