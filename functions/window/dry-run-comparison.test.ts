// The dry-run comparison's decisions on stored data held in memory: the
// ClickHouse reads are its only outside system and are passed in as
// functions that filter exactly as the queries do. The same code runs on
// chDB in test/dry-run.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { POLICY_NAME_LABEL, type Activity } from '../../shared/api/activity.js';
import type { StoredSummary } from '../../shared/clickhouse/read-stored-summaries.js';
import { createDryRunComparison, type DryRunComparisonDeps } from './dry-run-comparison.js';

function activity(originId: string, second: string, summary: string, extra: Partial<Activity['spec']> = {}): Activity {
  return {
    kind: 'Activity',
    apiVersion: 'activity.miloapis.com/v1alpha1',
    metadata: { name: `act-${originId}`, creationTimestamp: `2025-05-01T10:00:${second}Z`, labels: { [POLICY_NAME_LABEL]: 'deployments' } },
    spec: {
      summary,
      changeSource: 'human',
      actor: { type: 'user', name: 'alice' },
      resource: { apiGroup: 'apps', apiVersion: 'v1', kind: 'Deployment', name: 'web', namespace: 'default' },
      tenant: { type: 'platform', name: '' },
      origin: { type: 'audit', id: originId },
      ...extra,
    },
  };
}

/** Stored activities plus the source rows' times, read back as the ClickHouse queries would. */
function store(stored: Activity[], rowTimes: Record<string, string> = {}): DryRunComparisonDeps & { lookups: number } {
  const inRange = (t: string, q: { from: string; to: string }) => Date.parse(t) >= Date.parse(q.from) && Date.parse(t) < Date.parse(q.to);
  const deps = {
    lookups: 0,
    readStored: async (q: { from: string; to: string; originType: string; originIds: string[] }) =>
      structuredClone(stored.filter((a) => a.spec.origin.type === q.originType && q.originIds.includes(a.spec.origin.id) && inRange(a.metadata.creationTimestamp, q))),
    async *readStoredSummaries(q: { from: string; to: string; originType: string }): AsyncGenerator<StoredSummary> {
      for (const a of stored) {
        if (a.spec.origin.type !== q.originType || !inRange(a.metadata.creationTimestamp, q)) continue;
        yield { originId: a.spec.origin.id, timestamp: a.metadata.creationTimestamp, summary: a.spec.summary, policy: a.metadata.labels[POLICY_NAME_LABEL] ?? '' };
      }
    },
    readSourceTimes: async (q: { from: string; to: string; ids: string[] }) => {
      deps.lookups++;
      return new Map(Object.entries(rowTimes).filter(([id, t]) => q.ids.includes(id) && inRange(t, q)));
    },
  };
  return deps;
}

const WINDOW = { source: 'audit' as const, from: '2025-05-01T10:00:00.000Z', to: '2025-05-01T10:01:00.000Z' };

test('counts each regenerated activity as created, changed or unchanged against the stored one of its origin', async () => {
  const deps = store([
    activity('same', '01', 'alice created web'),
    activity('renamed', '02', 'alice created web'),
    activity('moved', '03', 'alice created web', { tenant: { type: 'Project', name: 'p1' } }),
    activity('linked', '04', 'alice created web'),
    activity('actor', '05', 'alice created web'),
  ]);
  const dry = createDryRunComparison(WINDOW, deps);
  await dry.add([activity('same', '01', 'alice created web', { links: [] }), activity('renamed', '02', 'alice created web in default')]);
  await dry.add([]);
  await dry.add([
    activity('moved', '03', 'alice created web'),
    activity('linked', '04', 'alice created web', { links: [{ marker: 'web', resource: { kind: 'Deployment', name: 'web' } }] }),
    activity('actor', '05', 'alice created web', { actor: { type: 'user', name: 'alice', email: 'alice@example.com' } }),
    activity('new', '06', 'bob created api'),
  ]);
  const report = await dry.finish();
  assert.deepEqual(
    { create: report.wouldCreate, change: report.wouldChange, unchanged: report.unchanged, orphan: report.wouldOrphan },
    { create: 1, change: 4, unchanged: 1, orphan: 0 },
  );
  assert.deepEqual(report.samples.create, [{ originId: 'new', policy: 'deployments', newSummary: 'bob created api' }]);
  assert.deepEqual(report.samples.change[0], { originId: 'renamed', policy: 'deployments', storedSummary: 'alice created web', newSummary: 'alice created web in default' });
  assert.deepEqual(report.samples.change.map((s) => s.originId), ['renamed', 'moved', 'linked', 'actor']);
});

test('keeps at most five samples of each kind but counts them all', async () => {
  const stored = Array.from({ length: 8 }, (_, i) => activity(`old-${i}`, '10', `old ${i}`));
  const dry = createDryRunComparison(WINDOW, store(stored));
  await dry.add(Array.from({ length: 7 }, (_, i) => activity(`new-${i}`, '20', `new ${i}`)));
  const report = await dry.finish();
  assert.equal(report.wouldCreate, 7);
  assert.equal(report.wouldOrphan, 8);
  assert.deepEqual(report.samples.create.map((s) => s.originId), ['new-0', 'new-1', 'new-2', 'new-3', 'new-4']);
  assert.deepEqual(report.samples.orphan[0], { originId: 'old-0', policy: 'deployments', storedSummary: 'old 0' });
  assert.equal(report.samples.orphan.length, 5);
});

test('an orphan in a second two windows share is counted by the window that holds its origin row, and only by it', async () => {
  // Windows [:00.500, :05.500) and [:05.500, :09.250) split seconds 00, 05 and 09.
  const windows = [
    { source: 'audit' as const, from: '2025-05-01T10:00:00.500Z', to: '2025-05-01T10:00:05.500Z' },
    { source: 'audit' as const, from: '2025-05-01T10:00:05.500Z', to: '2025-05-01T10:00:09.250Z' },
  ];
  const stored = [
    activity('before-start', '00', 'a'), // row at :00.200, before the first window
    activity('first-second', '00', 'b'), // row at :00.800
    activity('inside', '03', 'c'), // row at :03.100, not looked up
    activity('early-05', '05', 'd'), // row at :05.200 → first window
    activity('late-05', '05', 'e'), // row at :05.700 → second window
    activity('gone-05', '05', 'f'), // row gone: its own time :05.000 → first window
    activity('early-09', '09', 'g'), // row at :09.100 → second window
    activity('after-end', '09', 'h'), // row at :09.600, after the second window
    activity('kept', '07', 'i'), // regenerated by the second window
  ];
  const rows = {
    'before-start': '2025-05-01T10:00:00.200000Z',
    'first-second': '2025-05-01T10:00:00.800000Z',
    inside: '2025-05-01T10:00:03.100000Z',
    'early-05': '2025-05-01T10:00:05.200000Z',
    'late-05': '2025-05-01T10:00:05.700000Z',
    'early-09': '2025-05-01T10:00:09.100000Z',
    'after-end': '2025-05-01T10:00:09.600000Z',
    kept: '2025-05-01T10:00:07.300000Z',
  };
  const orphans: string[][] = [];
  for (const window of windows) {
    const deps = store(stored, rows);
    const dry = createDryRunComparison(window, deps);
    if (window === windows[1]) await dry.add([activity('kept', '07', 'i')]);
    const report = await dry.finish();
    assert.equal(report.wouldOrphan, report.samples.orphan.length);
    orphans.push(report.samples.orphan.map((s) => s.originId).sort());
    assert.equal(deps.lookups, 1, 'one source lookup, for the split seconds only');
  }
  assert.deepEqual(orphans, [
    ['early-05', 'first-second', 'gone-05', 'inside'],
    ['early-09', 'late-05'],
  ]);
});

test('a window on whole seconds never looks up source rows', async () => {
  const unlabelled = activity('a', '01', 'x');
  unlabelled.metadata.labels = {};
  const deps = store([unlabelled, activity('b', '59', 'y')]);
  const report = await createDryRunComparison(WINDOW, deps).finish();
  assert.equal(report.wouldOrphan, 2);
  assert.equal(deps.lookups, 0);
  assert.deepEqual(report.samples.orphan[0], { originId: 'a', storedSummary: 'x' }, 'no policy named when the stored activity has none');
});
