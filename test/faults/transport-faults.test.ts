// Faults of the moving parts (issue 19), each run against the same seeded
// data as a run without the fault, asserting the same job counts and exactly
// the same rows in audit.activities FINAL: a real nats-server killed and
// restarted mid-job, the window function closed mid-window, every request
// and every result delivered twice.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { DEFAULT_STREAM } from '../../shared/nats/stream-config.js';
import { startFaultHarness, type FaultHarness, type RunOutcome } from './fault-harness.js';

let h: FaultHarness;
let baseline: RunOutcome;
// Paced so a job lasts a few seconds and a fault lands inside it.
const PACED = { rateLimit: 1500 };

before(async () => {
  h = await startFaultHarness({ events: 3000 });
  baseline = await h.run('baseline', PACED);
  assert.equal(baseline.counts.phase, 'Succeeded', baseline.job.status?.message);
  assert.ok(baseline.counts.windows >= 4, `several windows (${baseline.counts.windows})`);
  assert.ok(baseline.rows.length > 1000, `activities stored (${baseline.rows.length})`);
  assert.equal(baseline.counts.processedEvents, 3000);
});

after(async () => {
  await h?.close();
});

function assertSameAsBaseline(run: RunOutcome): void {
  assert.deepEqual(run.counts, baseline.counts, run.job.status?.message);
  assert.equal(run.rows.length, baseline.rows.length, 'rows in audit.activities FINAL');
  assert.deepEqual(run.rows, baseline.rows);
}

test('nats-server killed and restarted mid-job: same counts, same rows', async () => {
  const jsm = await jetstreamManager(h.stack.nc!);
  const before = (await jsm.streams.info(DEFAULT_STREAM)).state.messages;
  const running = h.run('nats-restart', PACED);
  await h.waitFor('the job to publish', async () => (await jsm.streams.info(DEFAULT_STREAM)).state.messages > before + 200);
  await h.nats.stop();
  await delay(700);
  await h.nats.restart();
  const run = await running;
  assertSameAsBaseline(run);
});

test('window function closed mid-window and opened again: same counts, same rows', async () => {
  let windowsSeen = 0;
  h.windowProxy.onRequest = () => void windowsSeen++;
  const running = h.run('window-closed', PACED);
  await h.waitFor('a window in progress', () => windowsSeen >= 2);
  await h.stack.stopWindowFunction();
  await delay(300);
  await h.stack.startWindowFunction();
  h.windowProxy.onRequest = undefined;
  const run = await running;
  assert.ok(h.stack.broker.stats.retried > 0, 'the broker redelivered the cut windows');
  assertSameAsBaseline(run);
});

test('every window request and every result delivered twice: same counts, same rows', async () => {
  h.windowProxy.copies = 2;
  h.aggregatorProxy.copies = 2;
  const forwarded = { window: h.windowProxy.forwarded, aggregator: h.aggregatorProxy.forwarded };
  try {
    const run = await h.run('duplicates', PACED);
    assert.equal(h.windowProxy.forwarded - forwarded.window, 2 * run.counts.windows, 'each window ran twice');
    assert.ok(h.aggregatorProxy.forwarded - forwarded.aggregator >= 2 * run.counts.windows, 'each result arrived twice');
    assertSameAsBaseline(run);
  } finally {
    h.windowProxy.copies = 1;
    h.aggregatorProxy.copies = 1;
  }
});
