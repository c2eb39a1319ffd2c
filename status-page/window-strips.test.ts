import { test } from 'node:test';
import assert from 'node:assert/strict';
import { windowStateSets } from './window-state.js';
import { windowStrips } from './window-strips.js';

test('without a plan, draws the windows side by side in one strip', () => {
  const sets = windowStateSets({ windows: { total: 4, completed: 1, failed: 0, completedRanges: '1', failedRanges: '' } });
  const [strip, ...rest] = windowStrips({ plan: undefined, total: 4, sets, reasons: new Map() });
  assert.equal(rest.length, 0);
  assert.equal(strip.source, 'all');
  assert.deepEqual(strip.windows.map((w) => [w.left, w.width, w.state]), [[0, 25, 'pending'], [25, 25, 'done'], [50, 25, 'pending'], [75, 25, 'pending']]);
});

test('places windows of uneven length by time, on the job range', () => {
  const plan = [
    { index: 0, source: 'event' as const, from: '2025-03-01T00:00:00.000Z', to: '2025-03-01T03:00:00.000Z', expectedEvents: 10 },
    { index: 1, source: 'event' as const, from: '2025-03-01T03:00:00.000Z', to: '2025-03-01T04:00:00.000Z', expectedEvents: 30 },
  ];
  const sets = windowStateSets({ windows: { total: 2, completed: 1, failed: 0, completedRanges: '1', failedRanges: '' } });
  const [strip] = windowStrips({ plan, total: 2, range: { startTime: '2025-03-01T00:00:00Z', endTime: '2025-03-01T08:00:00Z' }, sets, reasons: new Map() });
  assert.equal(strip.source, 'event');
  assert.deepEqual(strip.windows.map((w) => [w.left, w.width]), [[0, 37.5], [37.5, 12.5]]);
  assert.deepEqual(strip.events, { pending: 10, inflight: 0, done: 30, failed: 0 });
});

test('shows a window reported both completed and failed as failed', () => {
  const sets = windowStateSets({ windows: { total: 1, completed: 1, failed: 1, completedRanges: '0', failedRanges: '0' } });
  assert.equal(windowStrips({ plan: undefined, total: 1, sets, reasons: new Map() })[0].windows[0].state, 'failed');
});
