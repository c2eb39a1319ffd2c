import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidEventError } from '../../shared/errors/invalid-event-error.js';
import { fromHttp, toBinary, toStructured } from './cloud-event-http.js';

const base = { specversion: '1.0', id: 'e1', source: '/functions/window', type: 'com.example.test' };

test('binary mode: ce- headers become attributes and the body stays as sent', () => {
  const body = Buffer.from('{"a":1}');
  const event = fromHttp(new Headers({ 'ce-specversion': '1.0', 'ce-id': 'e1', 'ce-source': '/s', 'ce-type': 't', 'ce-reindexwindow': '7', 'content-type': 'application/json' }), body);
  assert.deepEqual(event.attributes, { specversion: '1.0', id: 'e1', source: '/s', type: 't', reindexwindow: '7', datacontenttype: 'application/json' });
  assert.equal(event.data?.toString(), '{"a":1}');
});

test('structured mode: JSON data is carried as JSON bytes, data_base64 as the decoded bytes', () => {
  const json = fromHttp(new Headers({ 'content-type': 'application/cloudevents+json' }), Buffer.from(JSON.stringify({ ...base, reindexwindow: 3, data: { n: 1 } })));
  assert.equal(json.attributes.reindexwindow, '3');
  assert.equal(json.attributes.datacontenttype, 'application/json');
  assert.deepEqual(JSON.parse(json.data!.toString()), { n: 1 });

  const bytes = Buffer.from([0, 1, 2, 254, 255]);
  const binary = fromHttp(
    new Headers({ 'content-type': 'application/cloudevents+json; charset=utf-8' }),
    Buffer.from(JSON.stringify({ ...base, datacontenttype: 'application/octet-stream', data_base64: bytes.toString('base64') })),
  );
  assert.deepEqual(binary.data, bytes);
});

test('non-events and invalid events are refused', () => {
  const cases: Array<[Record<string, string>, string]> = [
    [{ 'content-type': 'application/json' }, '{"hello":1}'],
    [{ 'ce-specversion': '1.0', 'ce-source': '/s', 'ce-type': 't' }, ''], // no id
    [{ 'ce-specversion': '0.2', 'ce-id': 'x', 'ce-source': '/s', 'ce-type': 't' }, ''],
    [{ 'content-type': 'application/cloudevents+json' }, 'not json'],
    [{ 'content-type': 'application/cloudevents+json' }, JSON.stringify({ ...base, type: '' })],
    [{ 'content-type': 'application/cloudevents+json' }, JSON.stringify({ ...base, 'Bad-Name': 'x' })],
    [{ 'content-type': 'application/cloudevents-batch+json' }, JSON.stringify([base])],
  ];
  for (const [headers, body] of cases) {
    assert.throws(() => fromHttp(new Headers(headers), Buffer.from(body)), InvalidEventError, JSON.stringify(headers));
  }
});

test('binary output percent-encodes header values and round-trips through parsing', () => {
  const event = { attributes: { ...base, subject: 'a "quoted" 100% ünïcode', datacontenttype: 'text/plain' }, data: Buffer.from('hi') };
  const { headers, body } = toBinary(event);
  assert.equal(headers['ce-subject'], 'a%20%22quoted%22%20100%25%20%C3%BCn%C3%AFcode');
  assert.equal(headers['content-type'], 'text/plain');
  assert.deepEqual(fromHttp(new Headers(headers), body!), event);
});

test('structured output round-trips JSON and binary data', () => {
  for (const event of [
    { attributes: { ...base, datacontenttype: 'application/json' }, data: Buffer.from('{"k":"v"}') },
    { attributes: { ...base, datacontenttype: 'application/octet-stream' }, data: Buffer.from([9, 8, 7]) },
  ]) {
    const { headers, body } = toStructured(event);
    assert.deepEqual(fromHttp(new Headers(headers), Buffer.from(body)), event);
  }
});
