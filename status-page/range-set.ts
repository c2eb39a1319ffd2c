// Window index sets as the status stores them: "0-41,43" (DESIGN.md §4.1).
// Malformed parts are skipped: the page shows what it can rather than failing.

/** The indices named by a range string such as "0-41,43". */
export function parseRangeSet(ranges: string | undefined): Set<number> {
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
