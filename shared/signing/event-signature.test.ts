import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CloudEvent, HTTP } from 'cloudevents';
import { UnauthorizedEventError } from '../errors/unauthorized-event-error.js';
import { toCloudEvent } from '../http/cloud-event-request.js';
import { checkSignature, requireSignature, SIGNATURE_EXTENSION, signEvent } from './event-signature.js';

const key = 'k'.repeat(32);
const event = new CloudEvent({
  type: 'com.miloapis.activity.reindex.window.requested',
  source: '/controller/reindexjobs/j',
  id: 'uid-w3',
  subject: 'reindexjobs/j/windows/3',
  datacontenttype: 'application/json',
  data: { window: { index: 3, from: '2026-01-01T00:00:00.000Z' }, rateLimit: 12.5, names: ['a', 'ü'] },
});

function request(message: { headers: Record<string, unknown>; body: unknown }): Request {
  return new Request('http://127.0.0.1/', { method: 'POST', headers: message.headers as Record<string, string>, body: message.body as string });
}

test('a signed event verifies after crossing HTTP in binary and in structured mode', async () => {
  const signed = signEvent(event, key);
  assert.match(String((signed as Record<string, unknown>)[SIGNATURE_EXTENSION]), /^v1=[A-Za-z0-9_-]{43}$/);
  for (const message of [HTTP.binary(signed), HTTP.structured(signed)]) {
    assert.equal(checkSignature(await toCloudEvent(request(message)), key), 'valid');
  }
});

test('no signature is missing; another key, or a changed id, type, subject or data, is invalid', () => {
  assert.equal(checkSignature(event, key), 'missing');
  assert.equal(checkSignature(signEvent(event, 'x'.repeat(32)), key), 'invalid');
  const signature = (signEvent(event, key) as Record<string, unknown>)[SIGNATURE_EXTENSION];
  for (const change of [
    { id: 'uid-w4' },
    { type: 'com.miloapis.activity.reindex.window.completed' },
    { subject: 'reindexjobs/other/windows/3' },
    { data: { ...(event.data as object), rateLimit: 1000 } },
  ]) {
    const tampered = event.cloneWith({ ...change, [SIGNATURE_EXTENSION]: signature });
    assert.equal(checkSignature(tampered, key), 'invalid', JSON.stringify(change));
  }
});

test('requireSignature throws a 401 naming the event and tells why', () => {
  const reasons: string[] = [];
  assert.throws(() => requireSignature(event, key, (r) => reasons.push(r)), (err: unknown) => {
    assert.ok(err instanceof UnauthorizedEventError);
    assert.equal(err.status, 401);
    assert.match(err.message, /uid-w3 carries no reindexsignature/);
    return true;
  });
  assert.throws(() => requireSignature(signEvent(event, 'y'.repeat(32)), key, (r) => reasons.push(r)), /does not match/);
  requireSignature(signEvent(event, key), key, (r) => reasons.push(r));
  assert.deepEqual(reasons, ['missing', 'invalid']);
});
