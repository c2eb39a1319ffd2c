import type { WindowSpec } from '../shared/contracts/window-requested.js';
import { windowState, type WindowState, type WindowStateSets } from './window-state.js';

export interface WindowCell {
  index: number;
  state: WindowState;
  /** Position and width in percent of the job's time range. */
  left: number;
  width: number;
  from?: string;
  to?: string;
  expectedEvents?: number;
  reason?: string;
}

export type StripCounts = Record<WindowState, number>;

export interface WindowStrip {
  /** `all` when there is no plan yet to say which window reads which source. */
  source: 'audit' | 'event' | 'all';
  windows: WindowCell[];
  counts: StripCounts;
  events: Record<WindowState, number>;
}

export interface StripInput {
  plan: WindowSpec[] | undefined;
  /** Known even without a plan, from status.windows.total. */
  total: number;
  range?: { startTime: string; endTime?: string };
  sets: WindowStateSets;
  reasons: Map<number, string>;
}

// One strip per source, on a shared time axis so the strips line up; without a
// plan the windows are drawn side by side in index order.
export function windowStrips(input: StripInput): WindowStrip[] {
  const { plan, sets, reasons } = input;
  if (!plan || plan.length === 0) {
    const cells = Array.from({ length: input.total }, (_, index) => ({
      index,
      state: windowState(index, sets),
      left: (100 * index) / input.total,
      width: 100 / input.total,
      reason: reasons.get(index),
    }));
    return cells.length > 0 ? [strip('all', cells)] : [];
  }
  const starts = plan.map((w) => Date.parse(w.from));
  const ends = plan.map((w) => Date.parse(w.to));
  const from = Math.min(parseOr(input.range?.startTime, Infinity), ...starts);
  const to = Math.max(parseOr(input.range?.endTime, -Infinity), ...ends);
  const span = Math.max(1, to - from);
  const strips: WindowStrip[] = [];
  for (const source of ['audit', 'event'] as const) {
    const cells = plan
      .filter((w) => w.source === source)
      .sort((a, b) => Date.parse(a.from) - Date.parse(b.from) || a.index - b.index)
      .map((w) => ({
        index: w.index,
        state: windowState(w.index, sets),
        left: (100 * (Date.parse(w.from) - from)) / span,
        width: (100 * (Date.parse(w.to) - Date.parse(w.from))) / span,
        from: w.from,
        to: w.to,
        expectedEvents: w.expectedEvents,
        reason: reasons.get(w.index),
      }));
    if (cells.length > 0) strips.push(strip(source, cells));
  }
  return strips;
}

function strip(source: WindowStrip['source'], windows: WindowCell[]): WindowStrip {
  const counts: StripCounts = { pending: 0, inflight: 0, done: 0, failed: 0 };
  const events: StripCounts = { pending: 0, inflight: 0, done: 0, failed: 0 };
  for (const w of windows) {
    counts[w.state]++;
    events[w.state] += w.expectedEvents ?? 0;
  }
  return { source, windows, counts, events };
}

function parseOr(time: string | undefined, fallback: number): number {
  const parsed = time ? Date.parse(time) : NaN;
  return Number.isNaN(parsed) ? fallback : parsed;
}
