import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRangeSet } from './range-set.js';

test('reads single indices and inclusive ranges', () => {
  assert.deepEqual([...parseRangeSet('0-3,7,9-10')].sort((a, b) => a - b), [0, 1, 2, 3, 7, 9, 10]);
});

test('reads an empty or missing range string as no windows', () => {
  assert.equal(parseRangeSet('').size, 0);
  assert.equal(parseRangeSet(undefined).size, 0);
});

test('skips malformed parts and keeps the rest', () => {
  assert.deepEqual([...parseRangeSet('x, 4 ,5-a,6-6')], [4, 6]);
});
