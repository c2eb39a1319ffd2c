import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorTally } from './error-tally.js';

const sample = (originId: string, policy: string, rule = 'r') => ({ originId, policy, rule, message: 'boom' });

test('counts every error and keeps at most ten samples', () => {
  const tally = new ErrorTally();
  for (let i = 0; i < 25; i++) tally.add(sample(`o${i}`, 'p'));
  assert.equal(tally.count, 25);
  assert.deepEqual(tally.samples.map((s) => s.originId), ['o0', 'o1', 'o2', 'o3', 'o4', 'o5', 'o6', 'o7', 'o8', 'o9']);
});

test('a kind of error not sampled yet replaces a repeat of another kind', () => {
  const tally = new ErrorTally();
  for (let i = 0; i < 30; i++) tally.add(sample(`cel${i}`, 'broken'));
  tally.add(sample('row-7', '', ''));
  tally.add(sample('x1', 'other', 'r2'));
  tally.add(sample('row-8', '', ''));
  assert.equal(tally.count, 33);
  assert.equal(tally.samples.length, 10);
  assert.deepEqual(
    tally.samples.filter((s) => s.policy !== 'broken').map((s) => s.originId),
    ['row-7', 'x1'],
  );
  assert.equal(tally.samples.filter((s) => s.policy === 'broken').length, 8);
});
