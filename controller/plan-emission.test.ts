import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recordEmissions } from './plan-emission.js';

test('the record keeps only unanswered windows, and next stops at a window whose post failed', () => {
  const record = { jobUid: 'u', next: 4, last: { index: 3, at: 100 }, inFlight: [[2, 90, 1], [3, 100, 1]] as [number, number, number][] };
  const answered = (i: number) => i === 2;
  // 4 and 6 went out, 5 did not (its post failed): 5 is the next to go, 6 is in flight.
  const after = recordEmissions(record, answered, [[4, 200, 1, 200], [6, 201, 1, 205]]);
  assert.deepEqual(after, { jobUid: 'u', next: 5, last: { index: 6, at: 205 }, inFlight: [[3, 100, 1], [4, 200, 1], [6, 201, 1]] });
  // Emitted again (overdue): the deadline restarts and the count goes up; next moves over it all once 5 went.
  const again = recordEmissions(after, answered, [[3, 300, 2, 300], [5, 301, 1, 301]]);
  assert.deepEqual(again.inFlight, [[3, 300, 2], [4, 200, 1], [5, 301, 1], [6, 201, 1]]);
  assert.equal(again.next, 7);
});
