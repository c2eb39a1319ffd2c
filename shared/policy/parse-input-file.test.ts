import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseInputs } from './parse-input-file.js';
import { inputKindOf } from './input-kind.js';

test('reads one object, an array, or JSON lines', () => {
  assert.deepEqual(parseInputs('{"a":1}'), [{ a: 1 }]);
  assert.deepEqual(parseInputs('[{"a":1},{"b":2}]'), [{ a: 1 }, { b: 2 }]);
  assert.deepEqual(parseInputs('{"a":1}\n\n{"b":2}\n'), [{ a: 1 }, { b: 2 }]);
  assert.deepEqual(parseInputs('  \n'), []);
});

test('a bad JSON line is named by its number', () => {
  assert.throws(() => parseInputs('{"a":1}\n{"b":\n{"c":3}'), /line 2/);
});

test('inputKindOf tells audit events from Kubernetes Events by apiVersion', () => {
  assert.equal(inputKindOf({ apiVersion: 'audit.k8s.io/v1', kind: 'Event' }), 'audit');
  assert.equal(inputKindOf({ apiVersion: 'events.k8s.io/v1', kind: 'Event' }), 'event');
  assert.equal(inputKindOf({ apiVersion: 'v1', kind: 'Event' }), 'event');
  assert.equal(inputKindOf({ apiVersion: 'v1', kind: 'Pod' }), undefined);
  assert.equal(inputKindOf({ apiVersion: 'apps/v1' }), undefined);
  assert.equal(inputKindOf('x'), undefined);
});
