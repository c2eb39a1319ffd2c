import { parseRfc3339 } from '../policy/rfc3339.js';

const RELATIVE = /^now(?:-(\d+)([smhdw]))?$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000 } as const;

/**
 * Resolves an RFC3339 time or `now`, `now-<n><s|m|h|d|w>` against one
 * instant. `d` and `w` are calendar days in UTC (same wall-clock time n days
 * back), not multiples of 24h. Throws an Error saying what is accepted.
 */
export function resolveTime(value: string, now: Date): Date {
  if (typeof value !== 'string') throw new Error(`must be a string (RFC3339, "now" or "now-<n><s|m|h|d|w>")`);
  const relative = RELATIVE.exec(value);
  if (relative) {
    if (relative[1] === undefined) return new Date(now.getTime());
    const n = Number(relative[1]);
    const unit = relative[2] as 's' | 'm' | 'h' | 'd' | 'w';
    if (unit === 'd' || unit === 'w') {
      const d = new Date(now.getTime());
      d.setUTCDate(d.getUTCDate() - n * (unit === 'w' ? 7 : 1));
      return d;
    }
    return new Date(now.getTime() - n * UNIT_MS[unit]);
  }
  const instant = parseRfc3339(value);
  if (!instant) throw new Error(`${JSON.stringify(value)} is neither RFC3339 (2024-05-01T00:00:00Z) nor relative ("now", "now-15m", "now-7d"; units s, m, h, d, w)`);
  return new Date(instant.seconds * 1000 + Math.floor(instant.nanos / 1e6));
}
