// Faults in result delivery (issue 19): the aggregator unreachable for
// longer than a result's retries. Same seeded data as a run without the
// fault; the same job counts and exactly the same rows in audit.activities
// FINAL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertSameAsBaseline, faultScenario } from './fault-harness.js';

const scenario = faultScenario();

test('aggregator down through every retry of each result: the dead-letter run delivers it; same counts, same rows', async () => {
  const { h, baseline } = scenario;
  // knative/triggers.yaml: one attempt and ten retries per result. Each
  // result is refused through all of them (a down pod, seen by the Broker
  // as 503), then taken.
  const refusedTimes = new Map<string, number>();
  const deadLettered = new Set<string>();
  h.aggregatorProxy.onRequest = (headers) => {
    const id = String(headers['ce-id']);
    if (headers['ce-knativeerrorcode'] !== undefined) deadLettered.add(id);
    const n = (refusedTimes.get(id) ?? 0) + 1;
    h.aggregatorProxy.refuse = n <= 11;
    if (h.aggregatorProxy.refuse) refusedTimes.set(id, n);
  };
  try {
    const run = await h.run('aggregator-down');
    assertSameAsBaseline(run, baseline);
    const results = [...refusedTimes.keys()].filter((id) => id.endsWith('-result'));
    assert.equal(results.length, run.counts.windows, 'every result was refused');
    for (const id of results) assert.equal(refusedTimes.get(id), 11, `${id} refused through its retries`);
    assert.deepEqual([...deadLettered].sort(), results.sort(), 'each result came back as a dead letter');
  } finally {
    h.aggregatorProxy.onRequest = undefined;
    h.aggregatorProxy.refuse = false;
  }
});
