import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatMicrosUtc, formatSecondsUtc, parseRfc3339 } from './rfc3339.js';

test('parses RFC3339 to the nanosecond and agrees with Date on the epoch seconds', () => {
  for (const s of ['2024-04-02T10:15:00.000100Z', '2024-02-29T23:59:59+01:30', '1999-12-31T00:00:00-05:00', '2100-03-01T00:00:00.123456789Z', '1970-01-01T00:00:00Z', '1969-12-31T23:59:59.5Z']) {
    const instant = parseRfc3339(s);
    assert.ok(instant, s);
    assert.equal(instant.seconds, Math.floor(Date.parse(s) / 1000), s);
  }
  assert.equal(parseRfc3339('2024-01-01T00:00:00.123456789Z')?.nanos, 123456789);
  assert.equal(parseRfc3339('2024-01-01T00:00:00.5Z')?.nanos, 500000000);
});

test('rejects what is not RFC3339 or not a calendar date', () => {
  for (const s of ['2024-02-30T00:00:00Z', '2023-02-29T00:00:00Z', '2024-13-01T00:00:00Z', '2024-01-01T24:00:00Z', '2024-01-01 00:00:00Z', '2024-01-01T00:00:00', '2024-01-01T00:00:00.Z', '2024-01-01T00:00:00+0100', 'x', 5, null]) {
    assert.equal(parseRfc3339(s), undefined, String(s));
  }
});

test('formats in UTC with seconds only, or with exactly six fractional digits', () => {
  const instant = parseRfc3339('2024-03-01T01:02:03.0000009+02:00')!;
  assert.equal(formatSecondsUtc(instant), '2024-02-29T23:02:03Z');
  assert.equal(formatMicrosUtc(instant), '2024-02-29T23:02:03.000000Z');
  assert.equal(formatMicrosUtc(parseRfc3339('1969-12-31T23:59:59.25Z')!), '1969-12-31T23:59:59.250000Z');
});
