import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addIndex, countIndexes, formatRanges, hasIndex, parseRanges } from './range-set.js';

test('adds indexes in any order and writes the fewest ranges', () => {
  let set = '';
  for (const i of [3, 0, 2, 1, 7, 5, 43]) set = addIndex(set, i);
  assert.equal(set, '0-3,5,7,43');
  assert.equal(addIndex(set, 6), '0-3,5-7,43');
  assert.equal(addIndex('0-41', 42), '0-42');
});

test('adding an index already in the set changes nothing', () => {
  assert.equal(addIndex('0-41,43', 17), '0-41,43');
  assert.equal(countIndexes(addIndex('0-41,43', 43)), 43);
});

test('counts and tests membership', () => {
  assert.equal(countIndexes(''), 0);
  assert.equal(countIndexes('0-41,43'), 43);
  assert.equal(hasIndex('0-41,43', 41), true);
  assert.equal(hasIndex('0-41,43', 42), false);
  assert.equal(hasIndex(undefined, 0), false);
});

test('reads ranges written by hand, unsorted and overlapping', () => {
  assert.deepEqual(parseRanges(' 5, 0-2 ,1-3 '), [[0, 3], [5, 5]]);
  assert.equal(formatRanges(parseRanges('9,8,7')), '7-9');
});

test('rejects text that is not a range list', () => {
  assert.throws(() => parseRanges('1-x'), /invalid range/);
  assert.throws(() => parseRanges('5-2'), /invalid range/);
});
