// Faults in row identity (issue 19): two activities whose names collide,
// two versions of one Event, inputs without an origin id. Each lost
// activities before. A run without these rows is the baseline; the run with
// them must hold exactly the baseline's rows in audit.activities FINAL plus
// what the policy engine makes of the added rows, and count exactly their
// errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activityName, activityNameSuffix } from '../../shared/policy/activity-name.js';
import { faultScenario, type RunOutcome } from './fault-harness.js';
import { at, backOff, configMapCreate, expectedRows, quietSecond, sorted, type InputRow } from './fault-rows.js';

// Two audit ids whose activity names (48 bits of SHA-256, the live
// processor's) collide for a ConfigMap: found once by a birthday search
// over 50M ids; the first test checks that they still collide.
const COLLIDING = ['00000000-0000-4000-8000-000002157df9', '00000000-0000-4000-8000-000002682230'] as const;
const EVENT_UID = '6a0c9f1e-0000-4000-8000-00000000e001';

let run: RunOutcome;
let added: InputRow[] = [];

// One window at a time: two versions of one Event must reach the sink in
// stream order even if a window boundary fell between them.
const scenario = faultScenario({}, { parallelism: 1 }, async ({ h }) => {
  const second = quietSecond(h.range.startTime);
  added = [
    ['audit', configMapCreate(COLLIDING[0], at(second, 0), 'collide-a')],
    ['audit', configMapCreate(COLLIDING[1], at(second, 5_000), 'collide-b')],
    // Two versions of one Event in one second: one sink key (time to the
    // second, origin id), two stored rows (time to the microsecond).
    ['event', backOff(EVENT_UID, at(second, 10_000, '100000'), 'Back-off restarting failed container app (x3)')],
    ['event', backOff(EVENT_UID, at(second, 10_000, '900000'), 'Back-off restarting failed container app (x5)')],
    ['audit', configMapCreate(undefined, at(second, 20_000), 'no-origin-a')],
    ['audit', configMapCreate(undefined, at(second, 21_000), 'no-origin-b')],
  ];
  for (const source of ['audit', 'event'] as const) await h.insertRows(source, added.filter(([s]) => s === source).map(([, r]) => r));
  run = await h.run('identities', { parallelism: 1 });
});

function assertDone(): void {
  assert.equal(run.counts.phase, 'Succeeded', run.job.status?.message);
  assert.equal(run.counts.failed, 0, 'no window failed');
  assert.equal(run.counts.completed, run.counts.windows);
}

test('two activities whose names collide are both stored', () => {
  const suffix = activityNameSuffix('', 'ConfigMap');
  assert.equal(activityName('audit', COLLIDING[0], suffix), activityName('audit', COLLIDING[1], suffix), 'the fixture ids still collide');
  assertDone();
  for (const id of COLLIDING) assert.equal(run.rows.filter((r) => r.startsWith(`${id}  `)).length, 1, `activity of ${id} in FINAL`);
});

test('two versions of one Event are both published, in order, and the newest wins in the sink', () => {
  const { baseline } = scenario;
  assertDone();
  const rows = run.rows.filter((r) => r.startsWith(`${EVENT_UID}  `));
  assert.equal(rows.length, 1, 'one sink key');
  assert.match(rows[0]!, /keeps crashing: Back-off restarting failed container app \(x5\)$/);
  assert.equal(run.counts.activitiesGenerated, baseline.counts.activitiesGenerated + 4, 'two colliding names + two Event versions published');
});

test('inputs without an origin id are error rows, never published', () => {
  const { baseline } = scenario;
  assertDone();
  assert.equal(run.rows.filter((r) => r.startsWith('  ')).length, 0, 'no activity with an empty origin id');
  assert.equal(run.counts.errors, baseline.counts.errors + 2);
  const samples = run.job.status?.errorSamples ?? [];
  assert.ok(samples.some((s) => /^input has no origin id/.test(s.message)), JSON.stringify(samples));
});

test('FINAL holds exactly the baseline plus what the engine makes of the added rows', () => {
  const { baseline } = scenario;
  assertDone();
  assert.equal(run.counts.processedEvents, baseline.counts.processedEvents + added.length);
  assert.deepEqual(sorted(run.rows), sorted([...baseline.rows, ...expectedRows(added)]));
});
