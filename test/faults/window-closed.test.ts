// The window function closed mid-window and opened again (issue 19), as a
// crashed pod: the Broker redelivers the cut windows; the same job counts
// and exactly the same rows in audit.activities FINAL as a run without the
// fault on the same data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { assertSameAsBaseline, PACED, faultScenario } from './fault-harness.js';

const scenario = faultScenario({}, PACED);

test('window function closed mid-window and opened again: same counts, same rows', async () => {
  const { h, baseline } = scenario;
  let windowsSeen = 0;
  h.windowProxy.onRequest = () => void windowsSeen++;
  const retried = h.stack.broker.stats.retried;
  const running = h.run('window-closed', PACED);
  await h.waitFor('a window in progress', () => windowsSeen >= 2);
  await h.stack.stopWindowFunction();
  await delay(300);
  await h.stack.startWindowFunction();
  h.windowProxy.onRequest = undefined;
  const run = await running;
  assert.ok(h.stack.broker.stats.retried > retried, 'the broker redelivered the cut windows');
  assertSameAsBaseline(run, baseline);
});
