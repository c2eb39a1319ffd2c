import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failureReasons } from './failure-reasons.js';
import { sampleRunningJob } from './sample-job.js';

const job = () => sampleRunningJob('j', new Date('2025-03-01T00:00:00Z'), 4).job;

test('takes the newest Warning Event that names the window', () => {
  const reasons = failureReasons([2], job(), [
    { type: 'Warning', reason: 'WindowFailed', message: 'Window 2 failed: timeout', time: '2025-03-01T10:00:00Z' },
    { type: 'Warning', reason: 'WindowFailed', message: 'Window 2 failed: NATS unreachable', time: '2025-03-01T10:05:00Z' },
    { type: 'Warning', reason: 'WindowFailed', message: 'Window 3 failed: other', time: '2025-03-01T10:06:00Z' },
  ]);
  assert.equal(reasons.get(2), 'Window 2 failed: NATS unreachable');
});

test('falls back to the job message when no Event names the window', () => {
  const failed = job();
  failed.status!.phase = 'Failed';
  failed.status!.message = 'windows 1, 3 failed after their retries';
  assert.equal(failureReasons([3], failed, []).get(3), 'windows 1, 3 failed after their retries');
  failed.status!.message = 'the failure budget of 10 errors was exceeded';
  assert.equal(failureReasons([0], failed, []).get(0), 'the failure budget of 10 errors was exceeded');
});

test('says so when nothing records a reason yet', () => {
  assert.equal(failureReasons([1], job(), []).get(1), 'no reason recorded yet');
});
