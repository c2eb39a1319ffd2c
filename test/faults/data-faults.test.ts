// Faults in the data (issue 19): rows added to the seeded data set, each
// kind of which lost activities or failed the job before. A run without
// them is the baseline; the runs with them must hold exactly the baseline's
// rows in audit.activities FINAL plus what the policy engine makes of the
// added rows, and count exactly the added rows' errors.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Source } from '../../shared/contracts/window-requested.js';
import { demoPolicies } from '../../shared/demo/demo-policies.js';
import { activityName, activityNameSuffix } from '../../shared/policy/activity-name.js';
import { compilePolicies } from '../../shared/policy/policy-engine.js';
import { startFaultHarness, type FaultHarness, type RunOutcome } from './fault-harness.js';

// Two audit ids whose activity names (48 bits of SHA-256, the live
// processor's) collide for a ConfigMap: found once by a birthday search
// over 50M ids; the first test checks that they still collide.
const COLLIDING = ['00000000-0000-4000-8000-000002157df9', '00000000-0000-4000-8000-000002682230'] as const;
const ONE_MIB = 1024 * 1024;

let h: FaultHarness;
let baseline: RunOutcome;
/** With colliding names, two versions of one Event and inputs without an origin id. */
let identities: RunOutcome;
/** Plus one activity over the stream's max message size and one 3 MB row. */
let oversized: RunOutcome;
const added = { identities: [] as [Source, Record<string, unknown>][], oversized: [] as [Source, Record<string, unknown>][] };

function at(base: number, offsetMs: number, micros = ''): string {
  const iso = new Date(base + offsetMs).toISOString();
  return micros ? `${iso.slice(0, 23)}${micros}Z` : iso;
}

function configMapCreate(auditID: string | undefined, time: string, name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'RequestResponse',
    ...(auditID !== undefined ? { auditID } : {}),
    stage: 'ResponseComplete',
    requestURI: `/api/v1/namespaces/default/configmaps`,
    verb: 'create',
    user: { username: 'alice@example.com', uid: 'u-alice', groups: ['system:authenticated'] },
    objectRef: { resource: 'configmaps', namespace: 'default', name, apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 201 },
    requestReceivedTimestamp: time,
    stageTimestamp: time,
    ...extra,
  };
}

/** A core v1 Event (no eventTime: its stored time is lastTimestamp) of a crashing pod. */
function backOff(uid: string, lastTimestamp: string, message: string): Record<string, unknown> {
  return {
    kind: 'Event',
    apiVersion: 'v1',
    metadata: { name: `web-0.${uid.slice(0, 8)}`, namespace: 'default', uid, creationTimestamp: lastTimestamp.slice(0, 19) + 'Z' },
    involvedObject: { apiVersion: 'v1', kind: 'Pod', name: 'web-0', namespace: 'default', uid: 'pod-web-0' },
    reason: 'BackOff',
    message,
    source: { component: 'kubelet' },
    lastTimestamp,
    eventTime: null,
    type: 'Warning',
  };
}

/** `origin_id  summary` of what the policy engine makes of inputs, the later of two on one sink key winning. */
function expectedRows(inputs: [Source, Record<string, unknown>][]): string[] {
  const engine = compilePolicies(demoPolicies);
  const byKey = new Map<string, string>();
  for (const [source, input] of inputs) {
    const out = engine.evaluate(source, input);
    if (out.outcome !== 'activity') continue;
    const a = out.activity;
    byKey.set(`${a.spec.tenant?.type}/${a.spec.tenant?.name}/${a.metadata.creationTimestamp}/${a.spec.origin.id}`, `${a.spec.origin.id}  ${a.spec.summary}`);
  }
  return [...byKey.values()];
}

before(async () => {
  h = await startFaultHarness({ events: 2000 });
  baseline = await h.run('baseline', { parallelism: 1 });
  assert.equal(baseline.counts.phase, 'Succeeded', baseline.job.status?.message);

  // Inside the seeded range, in a second the demo rows leave free (their
  // times have microseconds; these have none or their own).
  const start = Date.parse(h.range.startTime);
  const second = Math.floor((start + 60 * 60_000) / 1000) * 1000;
  added.identities = [
    ['audit', configMapCreate(COLLIDING[0], at(second, 0), 'collide-a')],
    ['audit', configMapCreate(COLLIDING[1], at(second, 5_000), 'collide-b')],
    // Two versions of one Event in one second: one sink key (time to the
    // second, origin id), two stored rows (time to the microsecond).
    ['event', backOff('6a0c9f1e-0000-4000-8000-00000000e001', at(second, 10_000, '100000'), 'Back-off restarting failed container app (x3)')],
    ['event', backOff('6a0c9f1e-0000-4000-8000-00000000e001', at(second, 10_000, '900000'), 'Back-off restarting failed container app (x5)')],
    ['audit', configMapCreate(undefined, at(second, 20_000), 'no-origin-a')],
    ['audit', configMapCreate(undefined, at(second, 21_000), 'no-origin-b')],
  ];
  for (const source of ['audit', 'event'] as const) await h.insertRows(source, added.identities.filter(([s]) => s === source).map(([, r]) => r));
  identities = await h.run('identities', { parallelism: 1 });

  added.oversized = [
    // An Event whose note makes an activity over 1 MiB, the server's max_payload.
    ['event', backOff('6a0c9f1e-0000-4000-8000-00000000e002', at(second, 30_000), `Back-off: ${'x'.repeat(ONE_MIB + 1000)}`)],
    // A 3 MB audit row whose activity is small.
    ['audit', configMapCreate('00000000-0000-4000-8000-00000000b1c0', at(second, 31_000), 'big-request', { requestObject: { data: { blob: 'y'.repeat(3 * ONE_MIB) } } })],
  ];
  for (const [source, row] of added.oversized) await h.insertRows(source, [row]);
  oversized = await h.run('oversized', { parallelism: 1 });
});

after(async () => {
  await h?.close();
});

const sorted = (rows: string[]) => [...rows].sort();

function assertDone(run: RunOutcome): void {
  assert.equal(run.counts.phase, 'Succeeded', run.job.status?.message);
  assert.equal(run.counts.failed, 0, 'no window failed');
  assert.equal(run.counts.completed, run.counts.windows);
}

test('two activities whose names collide are both stored', () => {
  const suffix = activityNameSuffix('', 'ConfigMap');
  assert.equal(activityName('audit', COLLIDING[0], suffix), activityName('audit', COLLIDING[1], suffix), 'the fixture ids still collide');
  assertDone(identities);
  for (const id of COLLIDING) assert.equal(identities.rows.filter((r) => r.startsWith(`${id}  `)).length, 1, `activity of ${id} in FINAL`);
});

test('two versions of one Event are both published, in order, and the newest wins in the sink', () => {
  assertDone(identities);
  const rows = identities.rows.filter((r) => r.startsWith('6a0c9f1e-0000-4000-8000-00000000e001  '));
  assert.equal(rows.length, 1, 'one sink key');
  assert.match(rows[0]!, /keeps crashing: Back-off restarting failed container app \(x5\)$/);
  // Both versions were published: the job counts two activities for them.
  assert.equal(identities.counts.activitiesGenerated, baseline.counts.activitiesGenerated + 4, 'two colliding names + two Event versions');
});

test('inputs without an origin id are error rows, never published', () => {
  assertDone(identities);
  assert.equal(identities.rows.filter((r) => r.startsWith('  ')).length, 0, 'no activity with an empty origin id');
  assert.equal(identities.counts.errors, baseline.counts.errors + 2);
  const samples = identities.job.status?.errorSamples ?? [];
  assert.ok(samples.some((s) => /^input has no origin id/.test(s.message)), JSON.stringify(samples));
});

test('with colliding names, Event versions and no-origin inputs, FINAL holds exactly the baseline plus the added activities', () => {
  assertDone(identities);
  assert.equal(identities.counts.processedEvents, baseline.counts.processedEvents + added.identities.length);
  assert.deepEqual(sorted(identities.rows), sorted([...baseline.rows, ...expectedRows(added.identities)]));
});

test('an activity over the stream max message size is a counted row error; the window goes on', () => {
  assertDone(oversized);
  assert.equal(oversized.counts.errors, identities.counts.errors + 1);
  assert.equal(oversized.counts.processedEvents, identities.counts.processedEvents + 2);
  assert.equal(oversized.counts.activitiesGenerated, identities.counts.activitiesGenerated + 1, 'the big row\'s activity, not the too large one');
  const samples = oversized.job.status?.errorSamples ?? [];
  assert.ok(samples.some((s) => s.originId === '6a0c9f1e-0000-4000-8000-00000000e002' && /^activity too large: \d+ bytes/.test(s.message)), JSON.stringify(samples));
  assert.deepEqual(sorted(oversized.rows), sorted([...identities.rows, ...expectedRows(added.oversized.slice(1))]));
  assert.equal(oversized.rows.filter((r) => r.startsWith('6a0c9f1e-0000-4000-8000-00000000e002')).length, 0);
});
