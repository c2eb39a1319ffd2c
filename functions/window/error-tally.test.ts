import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorTally } from './error-tally.js';

const sample = (originId: string, policy: string, rule = 'r', type = 'evaluation') => ({ originId, policy, rule, message: `boom at ${originId}`, type });

test('one sample per kind of error with its count, the first example kept', () => {
  const tally = new ErrorTally();
  for (let i = 0; i < 30; i++) tally.add(sample(`cel${i}`, 'broken'));
  tally.add(sample('row-7', '', '', 'malformed_row'));
  tally.add(sample('x1', 'other', 'r2'));
  tally.add(sample('row-8', '', '', 'malformed_row'));
  assert.equal(tally.count, 33);
  assert.deepEqual(tally.samples.map((s) => [s.type, s.policy, s.rule, s.originId, s.count]), [
    ['evaluation', 'broken', 'r', 'cel0', 30],
    ['malformed_row', '', '', 'row-7', 2],
    ['evaluation', 'other', 'r2', 'x1', 1],
  ]);
});

test('keeps at most ten kinds; errors of further kinds are still counted', () => {
  const tally = new ErrorTally();
  for (let i = 0; i < 25; i++) tally.add(sample(`o${i}`, `p${i}`));
  assert.equal(tally.count, 25);
  assert.deepEqual(tally.samples.map((s) => s.originId), ['o0', 'o1', 'o2', 'o3', 'o4', 'o5', 'o6', 'o7', 'o8', 'o9']);
});
