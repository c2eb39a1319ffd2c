// RFC3339 with any number of fractional digits, kept to the nanosecond: JS
// Date stops at milliseconds, and audit timestamps are re-rendered with six.

export interface Instant {
  /** Whole seconds since the Unix epoch (UTC). */
  seconds: number;
  /** 0..999_999_999 */
  nanos: number;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

export function parseRfc3339(value: unknown): Instant | undefined {
  if (typeof value !== 'string') return undefined;
  const m = RFC3339.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls Feb 30 over into March; a real calendar date round-trips.
  if (new Date(ms).getUTCDate() !== day) return undefined;
  let offset = 0;
  if (m[8]) {
    const oh = Number(m[9]);
    const om = Number(m[10]);
    if (oh > 23 || om > 59) return undefined;
    offset = (m[8] === '-' ? -1 : 1) * (oh * 3600 + om * 60);
  }
  const nanos = m[7] ? Number(m[7].padEnd(9, '0')) : 0;
  return { seconds: ms / 1000 - offset, nanos };
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function utcSeconds(instant: Instant): string {
  const d = new Date(instant.seconds * 1000);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** `2024-04-02T10:15:00Z`: the fraction truncated, as Go's time.RFC3339. */
export function formatSecondsUtc(instant: Instant): string {
  return `${utcSeconds(instant)}Z`;
}

/** `2024-04-02T10:15:00.000100Z`: how metav1.MicroTime marshals. */
export function formatMicrosUtc(instant: Instant): string {
  return `${utcSeconds(instant)}.${pad(Math.floor(instant.nanos / 1000), 6)}Z`;
}
