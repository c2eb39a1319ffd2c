import { test } from 'node:test';
import assert from 'node:assert/strict';
import { headers } from '@nats-io/transport-node';
import { msgIdHeaderBytes, rowMsgId } from './row-msg-id.js';

const row = { source: 'event' as const, id: '6f1c2a9e-0000-4000-8000-000000000001', time: '2026-01-01T00:00:00.123456Z' };

test('is a full SHA-256 of the row identity followed by the job uid', () => {
  const id = rowMsgId(row, 'job-uid-1');
  assert.match(id, /^[0-9a-f]{64}-job-uid-1$/);
  assert.equal(rowMsgId({ ...row }, 'job-uid-1'), id, 'the same row gives the same id (a retried window repeats it)');
});

test('differs for two versions of one Event, another source or another job', () => {
  const id = rowMsgId(row, 'job-uid-1');
  assert.notEqual(rowMsgId({ ...row, time: '2026-01-01T00:00:05.000000Z' }, 'job-uid-1'), id, 'same uid, another stored time');
  assert.notEqual(rowMsgId({ ...row, source: 'audit' }, 'job-uid-1'), id);
  assert.notEqual(rowMsgId(row, 'job-uid-2'), id);
  // The separator keeps (id, time) pairs apart that concatenate alike.
  assert.notEqual(rowMsgId({ source: 'audit', id: 'a', time: 'bc' }, 'j'), rowMsgId({ source: 'audit', id: 'ab', time: 'c' }, 'j'));
});

test('counts the header bytes exactly as the NATS client encodes them', () => {
  const id = rowMsgId(row, 'job-uid-1');
  const h = headers();
  h.set('Nats-Msg-Id', id);
  assert.equal(msgIdHeaderBytes(id), Buffer.byteLength(String(h)));
});
