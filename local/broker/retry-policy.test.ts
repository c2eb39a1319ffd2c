import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIsoDuration } from '../../shared/knative/iso-duration.js';
import { isRetryable, retryPolicyFor } from './retry-policy.js';

test('ISO-8601 durations convert to milliseconds', () => {
  assert.equal(parseIsoDuration('PT0.2S'), 200);
  assert.equal(parseIsoDuration('PT1M30S'), 90_000);
  assert.equal(parseIsoDuration('PT2H'), 7_200_000);
  assert.equal(parseIsoDuration('P1DT1S'), 86_401_000);
  assert.equal(parseIsoDuration('P1W'), 604_800_000);
  for (const bad of ['0.2s', 'P', 'PT', 'P1M', 'P1Y', '200ms', '']) assert.throws(() => parseIsoDuration(bad), /ISO-8601/, bad);
});

test('exponential backoff doubles from the base delay, as Knative computes it', () => {
  const policy = retryPolicyFor({ retry: 5, backoffPolicy: 'exponential', backoffDelay: 'PT0.2S' });
  assert.equal(policy.retries, 5);
  assert.deepEqual([1, 2, 3, 4, 5].map(policy.delayMs), [200, 400, 800, 1600, 3200]);
});

test('linear backoff grows by the base delay, starting at zero, as Knative computes it', () => {
  const policy = retryPolicyFor({ retry: 4, backoffPolicy: 'linear', backoffDelay: 'PT0.5S' });
  assert.deepEqual([1, 2, 3, 4].map(policy.delayMs), [0, 500, 1000, 1500]);
});

test('the defaults are no retry, exponential policy and no delay', () => {
  const policy = retryPolicyFor(undefined);
  assert.equal(policy.retries, 0);
  assert.equal(policy.delayMs(3), 0);
  assert.equal(policy.timeoutMs, undefined);
  assert.equal(retryPolicyFor({ retry: 2, backoffDelay: 'PT1S' }).delayMs(2), 2000);
});

test('the delivery timeout is read as an ISO-8601 duration', () => {
  assert.equal(retryPolicyFor({ timeout: 'PT30S' }).timeoutMs, 30_000);
});

test('5xx, 404, 408, 409, 429 and no response are retried; other failures are not', () => {
  for (const status of [undefined, 500, 502, 503, 404, 408, 409, 429]) assert.equal(isRetryable(status), true, String(status));
  for (const status of [400, 401, 403, 413, 422, 301, 100]) assert.equal(isRetryable(status), false, String(status));
});
