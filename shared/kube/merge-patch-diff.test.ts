import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergePatchDiff } from './merge-patch-diff.js';

test('sends only what changed, nested', () => {
  const from = { phase: 'Running', progress: { processedEvents: 100, errors: 0 }, windows: { completedRanges: '0' } };
  const to = { phase: 'Running', progress: { processedEvents: 200, errors: 0 }, windows: { completedRanges: '0-1' } };
  assert.deepEqual(mergePatchDiff(from, to), { progress: { processedEvents: 200 }, windows: { completedRanges: '0-1' } });
});

test('removes keys that are gone with null, and replaces arrays whole', () => {
  const from = { message: 'waiting', conditions: [{ type: 'Ready', status: 'False' }] };
  const to = { conditions: [{ type: 'Ready', status: 'True' }] };
  assert.deepEqual(mergePatchDiff(from, to), { message: null, conditions: [{ type: 'Ready', status: 'True' }] });
});

test('has nothing to send when nothing changed', () => {
  assert.equal(mergePatchDiff({ a: { b: [1, 2] } }, { a: { b: [1, 2] } }), undefined);
  assert.equal(mergePatchDiff({ a: 1 }, { a: 1, b: undefined }), undefined);
});
