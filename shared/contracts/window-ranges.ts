// Sets of window indexes as status.windows.completedRanges / failedRanges
// carry them: "0-41,43" (DESIGN.md §4.1). The one parser and printer of
// that form; everything else works on the parsed, sorted, merged ranges, so
// folding a result costs a binary search, not a parse of the whole list.

/** Inclusive [from, to]. */
export type Range = readonly [from: number, to: number];
/** Sorted, non-overlapping, non-adjacent ranges. */
export type WindowRanges = readonly Range[];

export class InvalidWindowRangesError extends Error {
  override name = 'InvalidWindowRangesError';
}

/** "0-41,43" → [[0, 41], [43, 43]]; blanks allowed around parts, anything else is an error. */
export function parseWindowRanges(text: string | undefined): WindowRanges {
  if (!text || !text.trim()) return [];
  const ranges: Range[] = text.split(',').map((part) => {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+))?\s*$/.exec(part);
    const from = Number(m?.[1]);
    const to = m?.[2] === undefined ? from : Number(m[2]);
    if (!m || to < from) throw new InvalidWindowRangesError(`invalid window range "${part.trim()}" in "${text}"`);
    return [from, to];
  });
  return normalize(ranges);
}

export function formatWindowRanges(ranges: WindowRanges): string {
  return ranges.map(([from, to]) => (from === to ? `${from}` : `${from}-${to}`)).join(',');
}

/** Indexes → ranges, in any order, duplicates allowed: [0,1,2,5] → [[0,2],[5,5]]. */
export function windowRangesOf(indexes: Iterable<number>): WindowRanges {
  return normalize([...indexes].map((i): Range => [i, i]));
}

function normalize(ranges: Range[]): WindowRanges {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [from, to] of sorted) {
    const last = out[out.length - 1];
    if (last && from <= last[1] + 1) last[1] = Math.max(last[1], to);
    else out.push([from, to]);
  }
  return out;
}

/** The position of the last range starting at or before `index`, or -1. */
function floorRange(ranges: WindowRanges, index: number): number {
  let lo = 0;
  let hi = ranges.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ranges[mid][0] <= index) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

export function hasWindow(ranges: WindowRanges, index: number): boolean {
  const at = floorRange(ranges, index);
  return at >= 0 && index <= ranges[at][1];
}

/** The ranges with `index` added (a new array; the input is left alone). */
export function addWindow(ranges: WindowRanges, index: number): WindowRanges {
  if (hasWindow(ranges, index)) return ranges;
  const at = floorRange(ranges, index);
  const before = at >= 0 ? ranges[at] : undefined;
  const after = ranges[at + 1];
  const joinsBefore = before !== undefined && before[1] + 1 === index;
  const joinsAfter = after !== undefined && after[0] - 1 === index;
  const out = [...ranges];
  if (joinsBefore && joinsAfter) out.splice(at, 2, [before[0], after[1]]);
  else if (joinsBefore) out[at] = [before[0], index];
  else if (joinsAfter) out[at + 1] = [index, after[1]];
  else out.splice(at + 1, 0, [index, index]);
  return out;
}

export function countWindows(ranges: WindowRanges): number {
  return ranges.reduce((n, [from, to]) => n + to - from + 1, 0);
}

/** Every index, ascending. */
export function* windowIndexes(ranges: WindowRanges): Generator<number> {
  for (const [from, to] of ranges) for (let i = from; i <= to; i++) yield i;
}
