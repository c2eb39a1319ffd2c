import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeDryRun } from './describe-dry-run.js';

test('says what a dry run would change, create and orphan, with thousands separated', () => {
  const report = { wouldChange: 2150, wouldCreate: 310, wouldOrphan: 12, unchanged: 48_000, samples: { create: [], change: [], orphan: [] } };
  assert.equal(describeDryRun(report), 'Dry run: 2,150 activities would change, 310 be created, 12 orphaned; 48,000 unchanged');
});
