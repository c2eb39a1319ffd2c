// The control plane at small scale (issues 18, 19): the real controller and
// aggregator, each in its own process, the local broker routing by the
// knative/ Triggers and the Kubernetes API stand-in, over a window function
// that answers at once (bench/control-plane.ts). Two results are lost on
// the way; the job must still count every window exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runControlPlane } from '../bench/control-plane.js';

test('a job of 300 windows with two lost results completes with every window counted once, the plan written once and small writes per emission', async () => {
  const windows = 300;
  const r = await runControlPlane({ windows, parallelism: 32, eventsPerWindow: 10, statusWriteIntervalMs: 200, resultDeadlineMs: 8_000, loseFirstResultOf: [7, 150] });
  const status = r.job.status!;
  assert.equal(status.phase, 'Succeeded', status.message);
  assert.deepEqual([status.windows!.completed, status.windows!.failed, status.windows!.completedRanges], [windows, 0, `0-${windows - 1}`]);
  assert.deepEqual([status.progress!.processedEvents, status.progress!.totalEvents], [windows * 10, windows * 10]);
  // The lost results' windows went out again after the deadline (on a busy machine others may too): Stalled was set, then cleared.
  assert.ok([7, 150].every((i) => r.requestedAgain.includes(i)), `requested again: ${r.requestedAgain.join(', ')}`);
  const stalled = status.conditions!.find((c) => c.type === 'Stalled');
  assert.deepEqual([stalled?.status, stalled?.reason], ['False', 'ResultsArriving']);

  const group = (name: string) => r.written.find((g) => g.object === name)!;
  assert.equal(group('plan ConfigMap').writes, 1, 'the plan is written once');
  assert.ok(group('emission record ConfigMap').maxBytes < 4 * 1024, `emission record up to ${group('emission record ConfigMap').maxBytes} bytes`);
  assert.ok(group('ReindexJob (status)').writes < windows / 4, `${group('ReindexJob (status)').writes} status writes for ${windows} results`);
  assert.ok(r.largestObjectBytes < 256 * 1024);
  assert.ok(r.statusBytes < 100 * 1024);
});
