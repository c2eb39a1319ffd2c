// Window index sets as status writes them: "0-41,43" (DESIGN.md §4.1).

/** Parses "0-41,43" into the set of indexes; blanks and junk parts are skipped. */
export function parseIndexRanges(ranges: string | undefined): Set<number> {
  const out = new Set<number>();
  for (const part of (ranges ?? '').split(',')) {
    const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!match) continue;
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    for (let i = from; i <= to; i++) out.add(i);
  }
  return out;
}

/** Formats indexes as compact ranges: [0,1,2,5] → "0-2,5". */
export function formatIndexRanges(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const start = sorted[i];
    while (i + 1 < sorted.length && sorted[i + 1] === sorted[i] + 1) i++;
    parts.push(start === sorted[i] ? `${start}` : `${start}-${sorted[i]}`);
  }
  return parts.join(',');
}
