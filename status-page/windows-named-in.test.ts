import { test } from 'node:test';
import assert from 'node:assert/strict';
import { windowsNamedIn } from './windows-named-in.js';

const sorted = (s: Set<number>) => [...s].sort((a, b) => a - b);

test('finds a single window named in a failure message', () => {
  assert.deepEqual(sorted(windowsNamedIn('Window 7 (audit) failed: ClickHouse unreachable')), [7]);
});

test('finds lists, ranges and "and" in one mention', () => {
  assert.deepEqual(sorted(windowsNamedIn('windows 3-5, 9 and 12 failed')), [3, 4, 5, 9, 12]);
});

test('finds nothing in a message that names no window', () => {
  assert.equal(windowsNamedIn('Job exceeded maxErrors budget of 10').size, 0);
});

test('a mention that is no range (a reversed one) names nothing, and the message is still read', () => {
  assert.deepEqual(sorted(windowsNamedIn('window 9-3 looked odd; window 4 failed')), [4]);
});
