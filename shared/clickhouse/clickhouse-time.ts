/** An instant as callers hold it: RFC3339 text or a Date. */
export type Instant = string | Date;

/**
 * RFC3339 (any offset) → `YYYY-MM-DD hh:mm:ss.sss` in UTC, the text a
 * `DateTime64(3, 'UTC')` query parameter parses; it rejects a trailing `Z`.
 */
export function toClickHouseTime(rfc3339: string | Date): string {
  const ms = new Date(rfc3339).getTime();
  if (Number.isNaN(ms)) throw new Error(`Invalid timestamp ${JSON.stringify(rfc3339)}`);
  return new Date(ms).toISOString().slice(0, 23).replace('T', ' ');
}

/** `YYYY-MM-DD hh:mm:ss[.fff…]` as ClickHouse prints a UTC DateTime64 → RFC3339 UTC. */
export function fromClickHouseTime(text: string): string {
  return `${text.replace(' ', 'T')}Z`;
}
