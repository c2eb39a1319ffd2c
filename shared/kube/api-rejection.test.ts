import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiException } from '@kubernetes/client-node';
import { apiRejection } from './api-rejection.js';

const invalid = {
  kind: 'Status',
  status: 'Failure',
  message: 'ReindexJob.activity.miloapis.com "tiny" is invalid: spec.config.batchSize: must be >= 100',
  reason: 'Invalid',
  code: 422,
};

test('turns a 422 ApiException into one line naming the object and the Status message', () => {
  const err = apiRejection(new ApiException(422, 'Unknown API Status Code!', JSON.stringify(invalid), {}), 'ReindexJob', 'tiny') as Error;
  assert.equal(err.message, 'ReindexJob tiny is invalid: spec.config.batchSize: must be >= 100');
  assert.ok(err.cause instanceof ApiException);
});

test('names the HTTP code of other rejections, and copes with a body that is not a Status', () => {
  const conflict = apiRejection(new ApiException(409, 'Conflict', { message: 'already exists' }, {}), 'ActivityPolicy', 'p') as Error;
  assert.equal(conflict.message, 'ActivityPolicy p was rejected (HTTP 409): already exists');
  const plain = apiRejection(new ApiException(500, 'x', 'upstream broke\nmore', {}), 'ReindexJob', 'j') as Error;
  assert.equal(plain.message, 'ReindexJob j was rejected (HTTP 500): upstream broke');
  const empty = apiRejection(new ApiException(503, 'x', '', {}), 'ReindexJob', 'j') as Error;
  assert.equal(empty.message, 'ReindexJob j was rejected (HTTP 503)');
});

test('leaves errors that are not ApiExceptions alone', () => {
  const original = new Error('ECONNREFUSED');
  assert.equal(apiRejection(original, 'ReindexJob', 'j'), original);
});
