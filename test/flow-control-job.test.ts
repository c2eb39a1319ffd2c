// Flow control through the whole local flow (issue 13, DESIGN.md §4.3): the
// stream keeps at most a few hundred activities (`discard: old`) and its
// sink consumer is stopped, so the stream fills to the high-water mark. The
// window function must wait for the sink rather than let the stream drop
// what the sink has not read; once the sink resumes, the job completes with
// the same counts and exactly the same rows in audit.activities FINAL as a
// run without the fault.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { DEFAULT_TABLES } from '../shared/clickhouse/source-tables.js';
import { silentLogger } from '../shared/log.js';
import { DEFAULT_SUBJECT_PREFIX } from '../shared/nats/activity-subject.js';
import { DEFAULT_STREAM } from '../shared/nats/stream-config.js';
import { startActivitySink, type ActivitySink } from '../local/activity-sink.js';
import { assertSameAsBaseline, startFaultHarness, type FaultHarness, type RunOutcome } from './faults/fault-harness.js';

/** Activities the small stream holds at most: flow control stops publishing at 80% of it. */
const STREAM_MESSAGES = 900;
/**
 * Slow enough that what may go out between two flow-control checks (every
 * 250 ms: 75 events at this rate, and one batch of 100 at once) fits the
 * 20% above the high-water mark (180 activities), as 200 MB of production's
 * 1 GiB does.
 */
const PACED = { rateLimit: 300, parallelism: 1 };

let h: FaultHarness;
let jsm: JetStreamManager;
let baseline: RunOutcome;
let resumed: ActivitySink | undefined;

/** The window function's activity_reindex_flow_control_waiting gauge. */
async function waitingWindows(): Promise<number> {
  const text = await (await fetch(`${h.stack.windowFunctionUrl}/metrics`)).text();
  return Number(/^activity_reindex_flow_control_waiting (\S+)$/m.exec(text)?.[1] ?? NaN);
}

before(async () => {
  h = await startFaultHarness();
  jsm = await jetstreamManager(h.stack.nc!);
  baseline = await h.baseline();
});

after(async () => {
  await resumed?.stop();
  await h?.close();
});

test('a small discard-old stream with its sink stopped: the window waits at the high-water mark, drops nothing, and the job completes once the sink resumes', { timeout: 120_000 }, async (t) => {
  // The baseline's messages give the size of an activity on the stream.
  const { state } = await jsm.streams.info(DEFAULT_STREAM);
  const messageBytes = state.bytes / state.messages;
  assert.ok(baseline.rows.length > STREAM_MESSAGES, `more activities (${baseline.rows.length}) than the stream holds`);
  const { config } = await jsm.streams.info(DEFAULT_STREAM);
  const maxBytes = Math.ceil(messageBytes * STREAM_MESSAGES);
  await jsm.streams.purge(DEFAULT_STREAM);
  await jsm.streams.update(DEFAULT_STREAM, { ...config, max_bytes: maxBytes });
  const firstSeq = (await jsm.streams.info(DEFAULT_STREAM)).state.first_seq;
  // The sink stops fetching; its durable consumer stays where it was.
  await h.stack.sink!.stop();

  const running = h.run('flow-control', PACED);
  running.catch(() => undefined); // awaited below; a failed assertion first must not leave it unhandled
  // Publishing reaches the high-water mark (80%) and the window function
  // says it waits (its gauge); for a second and more the stream neither
  // grows nor drops.
  let last = -1;
  let since = Date.now();
  await h.waitFor('the window function to wait at the high-water mark', async () => {
    const s = (await jsm.streams.info(DEFAULT_STREAM)).state;
    if (s.last_seq !== last) [last, since] = [s.last_seq, Date.now()];
    return Date.now() - since >= 1_500 && (await waitingWindows()) > 0;
  }, 60_000);
  const held = (await jsm.streams.info(DEFAULT_STREAM)).state;
  assert.equal(held.first_seq, firstSeq, 'nothing discarded while the sink is stopped');
  assert.ok(held.bytes <= maxBytes, `${held.bytes} bytes within max_bytes ${maxBytes}`);
  assert.ok(held.bytes >= 0.8 * maxBytes, `waits at the high-water mark: ${held.bytes} of ${maxBytes} bytes`);
  assert.equal(h.status('flow-control')?.phase, 'Running');

  // The sink resumes on its durable consumer: the job runs to its end.
  resumed = await startActivitySink({
    nc: h.stack.nc!,
    clickhouse: h.clickhouse,
    tables: DEFAULT_TABLES,
    stream: DEFAULT_STREAM,
    subjects: `${DEFAULT_SUBJECT_PREFIX}.>`,
    log: silentLogger,
  });
  const outcome = await running;
  assert.equal(await waitingWindows(), 0, 'no window waits any more');
  t.diagnostic(`stream of ${maxBytes} bytes held ${held.bytes} (${held.messages} activities) while the sink was stopped; the job waited ${outcome.job.status?.progress?.flowControlWaitSeconds} s in all`);
  assertSameAsBaseline(outcome, baseline);
  assert.ok((outcome.job.status?.progress?.flowControlWaitSeconds ?? 0) >= 1, `status shows the wait: ${outcome.job.status?.progress?.flowControlWaitSeconds} s`);
  // The stream did go round: more activities went through it than it holds.
  assert.ok((await jsm.streams.info(DEFAULT_STREAM)).state.last_seq - firstSeq + 1 > STREAM_MESSAGES);
});
