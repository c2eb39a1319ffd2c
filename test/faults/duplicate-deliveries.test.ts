// Every window request and every result delivered twice (issue 19), as
// at-least-once delivery may: the same job counts and exactly the same rows
// in audit.activities FINAL as a run without the fault on the same data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertSameAsBaseline, faultScenario } from './fault-harness.js';

const scenario = faultScenario();

test('every window request and every result delivered twice: same counts, same rows', async () => {
  const { h, baseline } = scenario;
  h.windowProxy.copies = 2;
  h.aggregatorProxy.copies = 2;
  const forwarded = { window: h.windowProxy.forwarded, aggregator: h.aggregatorProxy.forwarded };
  const run = await h.run('duplicates');
  assert.equal(h.windowProxy.forwarded - forwarded.window, 2 * run.counts.windows, 'each window ran twice');
  assert.ok(h.aggregatorProxy.forwarded - forwarded.aggregator >= 2 * run.counts.windows, 'each result arrived twice');
  assertSameAsBaseline(run, baseline);
});
