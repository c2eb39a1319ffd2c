import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exceedsErrorBudget, parseMaxErrors, validateReindexJob } from './reindex-job-validation.js';

const now = new Date('2024-05-10T12:00:00.000Z');

function errorsFor(spec: unknown, retentionDays?: number) {
  const result = validateReindexJob(spec, { now, retentionDays });
  assert.equal(result.ok, false, `expected ${JSON.stringify(spec)} to be rejected`);
  return result.ok ? [] : result.errors;
}

function assertRejects(spec: unknown, field: string, message?: RegExp) {
  const errors = errorsFor(spec);
  const hit = errors.find((e) => e.field === field);
  assert.ok(hit, `no error for ${field} in ${JSON.stringify(errors)}`);
  if (message) assert.match(hit.message, message);
}

test('a minimal spec is defaulted per DESIGN.md §4.1 and its times resolved', () => {
  const result = validateReindexJob({ timeRange: { startTime: 'now-2h' } }, { now });
  assert.ok(result.ok);
  assert.deepEqual(result.spec.config, { batchSize: 1000, rateLimit: 100, dryRun: false, parallelism: 4 });
  assert.deepEqual(result.spec.timeRange, { startTime: 'now-2h', endTime: 'now' });
  assert.deepEqual(result.resolvedTimeRange, { startTime: '2024-05-10T10:00:00.000Z', endTime: '2024-05-10T12:00:00.000Z' });
});

test('given values are kept, and relative end times resolve against the same instant', () => {
  const spec = {
    timeRange: { startTime: '2024-05-01T00:00:00Z', endTime: 'now-1d' },
    policySelector: { names: ['a', 'b'] },
    config: { batchSize: 100, rateLimit: 1_000_000, dryRun: true, parallelism: 256, maxErrors: '0.5%' },
    ttlSecondsAfterFinished: 0,
    suspend: true,
  };
  const result = validateReindexJob(spec, { now });
  assert.ok(result.ok);
  assert.deepEqual(result.spec.config, spec.config);
  assert.equal(result.spec.suspend, true);
  assert.deepEqual(result.resolvedTimeRange, { startTime: '2024-05-01T00:00:00.000Z', endTime: '2024-05-09T12:00:00.000Z' });
});

test('a spec that is not an object is rejected at spec', () => {
  assertRejects(null, 'spec');
  assertRejects('x', 'spec');
});

test('timeRange and startTime are required', () => {
  assertRejects({}, 'spec.timeRange');
  assertRejects({ timeRange: {} }, 'spec.timeRange.startTime', /required/);
});

test('unparseable times name their field', () => {
  assertRejects({ timeRange: { startTime: 'yesterday' } }, 'spec.timeRange.startTime', /RFC3339/);
  assertRejects({ timeRange: { startTime: 'now-1h', endTime: 'later' } }, 'spec.timeRange.endTime', /RFC3339/);
});

test('start must be before end', () => {
  assertRejects({ timeRange: { startTime: 'now-1h', endTime: 'now-2h' } }, 'spec.timeRange.startTime', /before endTime/);
  assertRejects({ timeRange: { startTime: 'now', endTime: 'now' } }, 'spec.timeRange.startTime', /before endTime/);
});

test('start must be within the retention, 60 days unless configured', () => {
  assertRejects({ timeRange: { startTime: 'now-61d' } }, 'spec.timeRange.startTime', /60-day retention/);
  assert.ok(validateReindexJob({ timeRange: { startTime: 'now-60d' } }, { now }).ok);
  const errors = errorsFor({ timeRange: { startTime: 'now-8d' } }, 7);
  assert.equal(errors[0].field, 'spec.timeRange.startTime');
  assert.match(errors[0].message, /7-day retention/);
});

test('policySelector takes names or matchLabels, not both', () => {
  assertRejects({ timeRange: { startTime: 'now-1h' }, policySelector: { names: ['a'], matchLabels: { x: 'y' } } }, 'spec.policySelector', /not both/);
  assertRejects({ timeRange: { startTime: 'now-1h' }, policySelector: { names: 'a' } }, 'spec.policySelector.names');
  assertRejects({ timeRange: { startTime: 'now-1h' }, policySelector: { matchLabels: { x: 1 } } }, 'spec.policySelector.matchLabels');
  assert.ok(validateReindexJob({ timeRange: { startTime: 'now-1h' }, policySelector: { matchLabels: { team: 'a' } } }, { now }).ok);
});

test('batchSize is an integer from 100 to 10000', () => {
  for (const batchSize of [99, 10_001, 500.5, '1000']) {
    assertRejects({ timeRange: { startTime: 'now-1h' }, config: { batchSize } }, 'spec.config.batchSize');
  }
});

test('rateLimit is an integer from 10 to 1000000', () => {
  for (const rateLimit of [9, 1_000_001, 'fast']) {
    assertRejects({ timeRange: { startTime: 'now-1h' }, config: { rateLimit } }, 'spec.config.rateLimit');
  }
});

test('parallelism is an integer from 1 to 256', () => {
  for (const parallelism of [0, 257, 1.5]) {
    assertRejects({ timeRange: { startTime: 'now-1h' }, config: { parallelism } }, 'spec.config.parallelism');
  }
});

test('dryRun and suspend are booleans', () => {
  assertRejects({ timeRange: { startTime: 'now-1h' }, config: { dryRun: 'yes' } }, 'spec.config.dryRun');
  assertRejects({ timeRange: { startTime: 'now-1h' }, suspend: 1 }, 'spec.suspend');
});

test('maxErrors is a count or a percent', () => {
  for (const maxErrors of [-1, 1.5, '5 percent', '101%', '%', true]) {
    assertRejects({ timeRange: { startTime: 'now-1h' }, config: { maxErrors } }, 'spec.config.maxErrors');
  }
  const ok = validateReindexJob({ timeRange: { startTime: 'now-1h' }, config: { maxErrors: 0 } }, { now });
  assert.ok(ok.ok);
  assert.equal(ok.spec.config.maxErrors, 0);
});

test('ttlSecondsAfterFinished is an integer of at least 0', () => {
  assertRejects({ timeRange: { startTime: 'now-1h' }, ttlSecondsAfterFinished: -1 }, 'spec.ttlSecondsAfterFinished');
  assertRejects({ timeRange: { startTime: 'now-1h' }, ttlSecondsAfterFinished: 1.5 }, 'spec.ttlSecondsAfterFinished');
});

test('every broken rule is reported at once', () => {
  const errors = errorsFor({ timeRange: { startTime: 'bad' }, config: { batchSize: 1, parallelism: 0 } });
  assert.deepEqual(errors.map((e) => e.field).sort(), ['spec.config.batchSize', 'spec.config.parallelism', 'spec.timeRange.startTime']);
});

test('parseMaxErrors reads counts and percents', () => {
  assert.deepEqual(parseMaxErrors(5), { kind: 'count', value: 5 });
  assert.deepEqual(parseMaxErrors('5'), { kind: 'count', value: 5 });
  assert.deepEqual(parseMaxErrors('0.5%'), { kind: 'percent', value: 0.5 });
  assert.equal(parseMaxErrors(undefined), undefined);
  assert.equal(parseMaxErrors('x%'), undefined);
});

test('exceedsErrorBudget fails only past the budget', () => {
  assert.equal(exceedsErrorBudget(undefined, 1e9, 1e9), false);
  assert.equal(exceedsErrorBudget({ kind: 'count', value: 3 }, 3, 10), false);
  assert.equal(exceedsErrorBudget({ kind: 'count', value: 3 }, 4, 10), true);
  assert.equal(exceedsErrorBudget({ kind: 'count', value: 0 }, 1, 10), true);
  assert.equal(exceedsErrorBudget({ kind: 'percent', value: 0.5 }, 5, 1000), false);
  assert.equal(exceedsErrorBudget({ kind: 'percent', value: 0.5 }, 6, 1000), true);
  assert.equal(exceedsErrorBudget({ kind: 'percent', value: 0.5 }, 0, 0), false);
});
