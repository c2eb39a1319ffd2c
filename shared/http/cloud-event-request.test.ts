import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CloudEvent, HTTP } from 'cloudevents';
import { InvalidEventError } from '../errors/invalid-event-error.js';
import { toCloudEvent } from './cloud-event-request.js';

const event = new CloudEvent({ type: 'com.example.test', source: '/test', id: 'e1', datacontenttype: 'application/json', data: { n: 1 } });

function request(message: { headers: Record<string, unknown>; body: unknown }): Request {
  return new Request('http://127.0.0.1/', { method: 'POST', headers: message.headers as Record<string, string>, body: message.body as string });
}

test('reads one event in binary and in structured mode', async () => {
  for (const message of [HTTP.binary(event), HTTP.structured(event)]) {
    const got = await toCloudEvent(request(message));
    assert.equal(got.id, 'e1');
    assert.equal(got.type, 'com.example.test');
    assert.deepEqual(got.data, { n: 1 });
  }
});

test('a request that is not a CloudEvent, or a batch, is an InvalidEventError (400)', async () => {
  await assert.rejects(toCloudEvent(new Request('http://127.0.0.1/', { method: 'POST', body: 'hello' })), (err: unknown) => {
    assert.ok(err instanceof InvalidEventError);
    assert.equal(err.status, 400);
    assert.equal(err.attribute, 'specversion');
    assert.match(err.message, /^invalid CloudEvent attribute "specversion": required/);
    return true;
  });
  const batch = new Request('http://127.0.0.1/', {
    method: 'POST',
    headers: { 'content-type': 'application/cloudevents-batch+json' },
    body: JSON.stringify([{ specversion: '1.0', type: 't', source: '/s', id: '1' }, { specversion: '1.0', type: 't', source: '/s', id: '2' }]),
  });
  await assert.rejects(toCloudEvent(batch), /batched CloudEvents are not accepted/);
});
