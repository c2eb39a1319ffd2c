import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseActivityMessage } from './parse-activity-message.js';

const bytes = (text: string) => new TextEncoder().encode(text);

test('accepts a JSON object as an activity', () => {
  assert.deepEqual(parseActivityMessage(bytes('{"kind":"Activity"}')), { ok: true, activity: { kind: 'Activity' } });
});

test('rejects what can never be an activity row, saying why', () => {
  const reasons = ['not json', '42', 'null', '[1]'].map((t) => parseActivityMessage(bytes(t)));
  assert.deepEqual(reasons.map((r) => r.ok), [false, false, false, false]);
  assert.deepEqual(reasons.slice(1).map((r) => (r.ok ? '' : r.reason)), ['not a JSON object: number', 'not a JSON object: null', 'not a JSON object: array']);
  assert.match(reasons[0]!.ok ? '' : reasons[0]!.reason, /^not JSON: /);
  assert.equal(parseActivityMessage(new Uint8Array([0xff, 0xfe])).ok, false, 'invalid UTF-8');
});
