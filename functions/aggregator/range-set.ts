// Sets of window indexes written as compact range strings ("0-41,43"), the
// form status.windows.completedRanges / failedRanges take. Pure.

export type Range = readonly [from: number, to: number];

export function parseRanges(text: string | undefined): Range[] {
  if (!text || !text.trim()) return [];
  const ranges = text.split(',').map((part): Range => {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+))?\s*$/.exec(part);
    if (!m) throw new Error(`invalid range "${part}" in "${text}"`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from) throw new Error(`invalid range "${part}" in "${text}"`);
    return [from, to];
  });
  return normalize(ranges);
}

/** Sorted, merged (adjacent and overlapping ranges joined). */
function normalize(ranges: Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [from, to] of sorted) {
    const last = out[out.length - 1];
    if (last && from <= last[1] + 1) last[1] = Math.max(last[1], to);
    else out.push([from, to]);
  }
  return out;
}

export function formatRanges(ranges: readonly Range[]): string {
  return ranges.map(([from, to]) => (from === to ? `${from}` : `${from}-${to}`)).join(',');
}

export function hasIndex(text: string | undefined, index: number): boolean {
  return parseRanges(text).some(([from, to]) => index >= from && index <= to);
}

export function addIndex(text: string | undefined, index: number): string {
  return formatRanges(normalize([...parseRanges(text), [index, index]]));
}

export function countIndexes(text: string | undefined): number {
  return parseRanges(text).reduce((n, [from, to]) => n + to - from + 1, 0);
}
