/** RFC3339 UTC with six fractional digits (a Kubernetes MicroTime) from epoch microseconds. */
export function microTime(epochMicros: number): string {
  const us = Math.floor(epochMicros);
  const iso = new Date(Math.floor(us / 1000)).toISOString();
  return `${iso.slice(0, 23)}${String(us % 1000).padStart(3, '0')}Z`;
}

/** RFC3339 UTC with whole seconds (a Kubernetes Time) from epoch microseconds. */
export function secondTime(epochMicros: number): string {
  return `${new Date(Math.floor(epochMicros / 1000)).toISOString().slice(0, 19)}Z`;
}
