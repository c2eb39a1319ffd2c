import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deadLetterEvent } from './dead-letter-event.js';

const event = { attributes: { specversion: '1.0', id: 'e', source: '/s', type: 't' }, data: Buffer.from('{}') };

test('a dead letter is the original event plus knativeerrordest, knativeerrorcode and base64 knativeerrordata', () => {
  const dead = deadLetterEvent(event, { destination: 'http://127.0.0.1:5/', status: 503, body: Buffer.from('ClickHouse unreachable') });
  assert.equal(dead.attributes.knativeerrordest, 'http://127.0.0.1:5/');
  assert.equal(dead.attributes.knativeerrorcode, '503');
  assert.equal(Buffer.from(dead.attributes.knativeerrordata, 'base64').toString(), 'ClickHouse unreachable');
  assert.equal(dead.attributes.id, 'e');
  assert.equal(dead.data, event.data);
});

test('knativeerrordata drops control and non-ASCII bytes and is cut at 1024 characters, as Knative does', () => {
  const dead = deadLetterEvent(event, { destination: 'u', status: 500, body: Buffer.from('a\nb\tc é') });
  assert.equal(Buffer.from(dead.attributes.knativeerrordata, 'base64').toString(), 'abc ');
  const long = deadLetterEvent(event, { destination: 'u', status: 500, body: Buffer.alloc(5000, 'x') });
  assert.equal(long.attributes.knativeerrordata.length, 1024);
  assert.equal(long.attributes.knativeerrordata, Buffer.alloc(768, 'x').toString('base64'));
});

test('an empty response body gives an empty knativeerrordata', () => {
  assert.equal(deadLetterEvent(event, { destination: 'u', status: 500, body: Buffer.alloc(0) }).attributes.knativeerrordata, '');
});
