import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addWindow, countWindows, formatWindowRanges, hasWindow, parseWindowRanges, windowIndexes, windowRangesOf } from './window-ranges.js';

test('adds indexes in any order into merged ranges, each once', () => {
  let ranges = parseWindowRanges('');
  for (const i of [3, 0, 2, 1, 7, 5, 43, 2]) ranges = addWindow(ranges, i);
  assert.equal(formatWindowRanges(ranges), '0-3,5,7,43');
  assert.equal(formatWindowRanges(addWindow(ranges, 6)), '0-3,5-7,43', 'joins the ranges on both sides');
  assert.equal(formatWindowRanges(addWindow(parseWindowRanges('0-41'), 42)), '0-42');
  assert.equal(countWindows(addWindow(parseWindowRanges('0-41,43'), 43)), 43);
});

test('answers membership by search, and lists every index', () => {
  const ranges = parseWindowRanges('0-41,43');
  assert.equal(hasWindow(ranges, 41), true);
  assert.equal(hasWindow(ranges, 42), false);
  assert.equal(hasWindow(parseWindowRanges(undefined), 0), false);
  assert.deepEqual([...windowIndexes(parseWindowRanges('1-3,7'))], [1, 2, 3, 7]);
  assert.equal(formatWindowRanges(windowRangesOf([9, 8, 7, 1])), '1,7-9');
});

test('parses blanks and overlaps, and refuses junk naming the part', () => {
  assert.deepEqual(parseWindowRanges(' 5, 0-2 ,1-3 '), [[0, 3], [5, 5]]);
  assert.throws(() => parseWindowRanges('1-x'), /invalid window range "1-x" in "1-x"/);
  assert.throws(() => parseWindowRanges('5-2'), /invalid window range "5-2"/);
});

test('stays one range when 10,000 windows complete in order', () => {
  let ranges = parseWindowRanges('');
  for (let i = 0; i < 10_000; i++) ranges = addWindow(ranges, i);
  assert.equal(formatWindowRanges(ranges), '0-9999');
});
