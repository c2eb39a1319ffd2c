import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatGoFloat, formatGoValue } from './format-go-value.js';

test('floats use the shortest decimal, in exponent form below 1e-4 and from 1e6', () => {
  const cases: [number, string][] = [
    [200, '200'], [0.5, '0.5'], [123456, '123456'], [999999, '999999'], [1e6, '1e+06'], [1234567, '1.234567e+06'],
    [1e-5, '1e-05'], [0.0001, '0.0001'], [0.00012345, '0.00012345'], [-2.5, '-2.5'], [1e21, '1e+21'], [1.5e300, '1.5e+300'],
    [0.1 + 0.2, '0.30000000000000004'], [0, '0'], [-0, '-0'], [NaN, 'NaN'], [Infinity, '+Inf'], [-Infinity, '-Inf'],
  ];
  for (const [f, want] of cases) assert.equal(formatGoFloat(f), want, String(f));
});

test('other values print as Go %v does', () => {
  assert.equal(formatGoValue('text'), 'text');
  assert.equal(formatGoValue(true), 'true');
  assert.equal(formatGoValue(42n), '42');
  assert.equal(formatGoValue(null), '<nil>');
  assert.equal(formatGoValue(['a', 1e6, false]), '[a 1e+06 false]');
  assert.equal(formatGoValue({ b: 2, a: [1] }), 'map[a:[1] b:2]');
});
