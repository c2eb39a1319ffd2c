import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summarizeJob } from './job-summary.js';
import { answerWindows, sampleRunningJob } from './sample-job.js';

const now = new Date('2025-03-02T00:00:00Z');

test('shows the aggregator percent, and 100 once the job succeeded', () => {
  const sample = sampleRunningJob('j', new Date('2025-03-01T00:00:00Z'), 4);
  answerWindows(sample, { completed: [0, 1] }, now);
  assert.equal(summarizeJob(sample.job, now).percent, sample.job.status!.progress!.percent);
  sample.job.status!.phase = 'Succeeded';
  assert.equal(summarizeJob(sample.job, now).percent, 100);
});

test('derives the percent from events, then windows, for a status without one', () => {
  const sample = sampleRunningJob('j', new Date('2025-03-01T00:00:00Z'), 4);
  sample.job.status!.progress = { ...sample.job.status!.progress!, percent: undefined, totalEvents: 200, processedEvents: 50 };
  assert.equal(summarizeJob(sample.job, now).percent, 25);
  sample.job.status!.progress = undefined;
  sample.job.status!.windows = { total: 8, completed: 6, failed: 0, completedRanges: '0-5', failedRanges: '' };
  assert.equal(summarizeJob(sample.job, now).percent, 75);
});

test('estimates completion from the rate only while running', () => {
  const sample = sampleRunningJob('j', new Date('2025-03-01T00:00:00Z'), 1);
  const status = sample.job.status!;
  status.progress = { ...status.progress!, totalEvents: 1000, processedEvents: 400 };
  status.eventsPerSecond = 100;
  assert.equal(summarizeJob(sample.job, now).estimatedCompletionTime, '2025-03-02T00:00:06.000Z');
  status.phase = 'Suspended';
  assert.equal(summarizeJob(sample.job, now).estimatedCompletionTime, undefined);
});

test('reads a job with no status yet as Pending at 0%', () => {
  const { job } = sampleRunningJob('j', new Date('2025-03-01T00:00:00Z'), 1);
  delete job.status;
  assert.deepEqual([summarizeJob(job, now).phase, summarizeJob(job, now).percent], ['Pending', 0]);
});
