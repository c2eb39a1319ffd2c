// 256-way parallel results (issue 19): a job of a few hundred small windows
// at parallelism 256 whose first 256 results are held back and then reach
// the aggregator all at once. Compared with the same job on the same data
// and plan whose results arrive as they come: the same job counts and
// exactly the same rows in audit.activities FINAL, every window counted
// once, and every result answered 2xx the first time.
// Why it would fail without what it protects: when each result was its own
// status write, such a burst raced into 409s until writes gave up (HTTP 500,
// 6 of 103 at parallelism 256 in the fault run); the answers check
// and the Broker's retry count catch that, and a result answered 5xx past
// its retries is a window never counted (the exact counts catch that). The
// status-writes check fails if results stop being folded into one write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WINDOW_COMPLETED } from '../../shared/contracts/cloud-event-types.js';
import { assertSameAsBaseline, faultScenario } from './fault-harness.js';

const BURST = 256;

// 2,000 rows in windows of at most 7 events: a few hundred windows, each
// result a delivery of its own, all in flight at once.
const scenario = faultScenario({ windowEvents: 7, brokerConcurrency: 2 * BURST + 64 }, { parallelism: BURST });

test('256 results reach the aggregator at once: every window counted once, no status write lost; same counts, same rows', async () => {
  const { h, baseline } = scenario;
  assert.ok(baseline.counts.windows > BURST, `more windows than one burst (${baseline.counts.windows})`);
  const held: Array<() => void> = [];
  let releasedAt = 0;
  h.aggregatorProxy.beforeForward = (headers) => {
    if (releasedAt > 0 || headers['ce-type'] !== WINDOW_COMPLETED) return;
    return new Promise<void>((go) => {
      held.push(go);
      if (held.length < BURST) return;
      releasedAt = h.stack.kube.requests.length;
      for (const release of held) release();
    });
  };
  h.aggregatorProxy.maxConcurrent = 0;
  h.aggregatorProxy.answers.clear();
  const stats = { ...h.stack.broker.stats };
  try {
    const run = await h.run('parallel-results', { parallelism: BURST });
    assertSameAsBaseline(run, baseline);
    assert.equal(held.length, BURST, 'results held back');
    assert.ok(h.aggregatorProxy.maxConcurrent >= BURST, `results at the aggregator at once: ${h.aggregatorProxy.maxConcurrent}`);
    // Every result answered 2xx the first time: no status write gave up, and
    // no window needed the Broker's retries or its dead-letter run.
    const answers = Object.fromEntries(h.aggregatorProxy.answers);
    assert.deepEqual(Object.keys(answers).filter((code) => Number(code) >= 300), [], JSON.stringify(answers));
    assert.equal(h.stack.broker.stats.retried, stats.retried, 'no delivery retried');
    assert.equal(h.stack.broker.stats.deadLettered, stats.deadLettered, 'nothing dead-lettered');
    // Results that arrive together fold into one write: from the burst on,
    // far fewer status writes (the controller's included) than results.
    const writes = h.stack.kube.requests
      .slice(releasedAt)
      .filter((r) => r.resource === 'reindexjobs' && r.subresource === 'status' && (r.verb === 'patch' || r.verb === 'update')).length;
    assert.ok(writes < run.counts.windows / 4, `${writes} status writes for ${run.counts.windows} results, ${BURST} of them at once`);
  } finally {
    h.aggregatorProxy.beforeForward = undefined;
  }
});
