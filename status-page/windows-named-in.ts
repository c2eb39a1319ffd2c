import { InvalidWindowRangesError, parseWindowRanges, windowIndexes, type WindowRanges } from '../shared/contracts/window-ranges.js';

// Messages name windows as people write them: "window 7", "windows 3-5, 9",
// "windows 2 and 4". Status and Events carry failure reasons only as text.
const MENTION = /\bwindows?\s*#?\s*(\d+(?:\s*-\s*\d+)?(?:\s*(?:,|and)\s*\d+(?:\s*-\s*\d+)?)*)/gi;

/** The window indices a message mentions. */
export function windowsNamedIn(message: string): Set<number> {
  const out = new Set<number>();
  for (const match of message.matchAll(MENTION)) {
    for (const index of windowIndexes(mentioned(match[1].replace(/and/gi, ',')))) out.add(index);
  }
  return out;
}

// Free text is no range list: a mention that is not one ("window 9-3") names no window.
function mentioned(text: string): WindowRanges {
  try {
    return parseWindowRanges(text);
  } catch (err) {
    if (err instanceof InvalidWindowRangesError) return parseWindowRanges('');
    throw err;
  }
}
