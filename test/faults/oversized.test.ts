// Oversized data (issue 19): an Event whose activity is over the stream's
// max message size (before, it failed its window through every retry and
// the job with it) and a 3 MB audit row. A run without them is the
// baseline; the run with them must hold exactly the baseline's rows in
// audit.activities FINAL plus the big row's activity, and count one error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { faultScenario, type RunOutcome } from './fault-harness.js';
import { at, backOff, configMapCreate, expectedRows, quietSecond, sorted, type InputRow } from './fault-rows.js';

const ONE_MIB = 1024 * 1024;
const BIG_EVENT_UID = '6a0c9f1e-0000-4000-8000-00000000e002';

let run: RunOutcome;
let added: InputRow[] = [];

const scenario = faultScenario({}, undefined, async ({ h }) => {
  const second = quietSecond(h.range.startTime);
  added = [
    // Its note makes an activity over 1 MiB, the nats-server's max_payload.
    ['event', backOff(BIG_EVENT_UID, at(second, 30_000), `Back-off: ${'x'.repeat(ONE_MIB + 1000)}`)],
    // A 3 MB audit row whose activity is small.
    ['audit', configMapCreate('00000000-0000-4000-8000-00000000b1c0', at(second, 31_000), 'big-request', { requestObject: { data: { blob: 'y'.repeat(3 * ONE_MIB) } } })],
  ];
  for (const [source, row] of added) await h.insertRows(source, [row]);
  run = await h.run('oversized');
});

test('an activity over the stream max message size is a counted row error; the window goes on', () => {
  const { baseline } = scenario;
  assert.equal(run.counts.phase, 'Succeeded', run.job.status?.message);
  assert.equal(run.counts.failed, 0, 'no window failed');
  assert.equal(run.counts.errors, baseline.counts.errors + 1);
  assert.equal(run.counts.processedEvents, baseline.counts.processedEvents + 2);
  assert.equal(run.counts.activitiesGenerated, baseline.counts.activitiesGenerated + 1, 'the big row\'s activity, not the too large one');
  const samples = run.job.status?.errorSamples ?? [];
  assert.ok(samples.some((s) => s.originId === BIG_EVENT_UID && /^activity too large: \d+ bytes/.test(s.message)), JSON.stringify(samples));
});

test('FINAL holds exactly the baseline plus the big row\'s activity', () => {
  const { baseline } = scenario;
  assert.equal(run.rows.filter((r) => r.startsWith(BIG_EVENT_UID)).length, 0);
  const big = expectedRows(added.slice(1));
  assert.equal(big.length, 1);
  assert.deepEqual(sorted(run.rows), sorted([...baseline.rows, ...big]));
});
