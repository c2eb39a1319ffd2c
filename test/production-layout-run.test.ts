// `reindex run` against a database laid out by the Activity system's own
// migrations (DESIGN.md §4.4 "Production": its ledger rows 1-9, live
// activities already stored), with no table or column settings: the run
// regenerates exactly the activities the policies give for the stored rows,
// every other stored activity survives, and no table is rebuilt or added.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { main } from '../cli/main.js';
import type { Activity } from '../shared/api/activity.js';
import { createClickHouseClient } from '../shared/clickhouse/create-clickhouse-client.js';
import { generateDemoData } from '../shared/demo/generate-demo-data.js';
import { inputKindOf } from '../shared/policy/input-kind.js';
import { loadPolicyFiles } from '../shared/policy/load-policy-files.js';
import { compilePolicies } from '../shared/policy/policy-engine.js';
import { createProductionLayout, tableShapes } from './helpers/production-layout.js';

const ROOT = new URL('..', import.meta.url).pathname;
const POLICIES = join(ROOT, 'test/fixtures/policies');
const dataDir = mkdtempSync(join(tmpdir(), 'reindex-prod-run-'));
let client: ClickHouseClient;
before(async () => {
  client = createClickHouseClient({ dataDir });
  await createProductionLayout(client);
});
after(() => client.close());

async function storedActivities(): Promise<Map<string, Activity>> {
  const rs = await client.query({ query: 'SELECT activity_json FROM audit.activities FINAL', format: 'JSONEachRow' });
  const rows = (await rs.json<{ activity_json: string }>()).map((r) => JSON.parse(r.activity_json) as Activity);
  return new Map(rows.map((a) => [a.spec.origin.id, a]));
}

test('reindex run with no table settings regenerates the activities of audit logs and Events, keeps the live ones, rebuilds nothing', async () => {
  const { auditLogs, k8sEvents } = generateDemoData({ events: 300, days: 1, now: new Date(Date.now() - 60_000), seed: 13 });
  const insert = (table: string, rows: string[]) =>
    client.insert({ table, columns: ['event_json'], values: rows.map((event_json) => ({ event_json })), format: 'JSONEachRow' });
  await insert('audit.audit_logs', auditLogs);
  await insert('audit.k8s_events', k8sEvents);

  // What the policies make of every stored row, as `reindex preview` would.
  const engine = compilePolicies(await loadPolicyFiles([POLICIES]));
  const expected = new Map<string, Activity>();
  for (const json of [...auditLogs, ...k8sEvents]) {
    let input: unknown;
    try {
      input = JSON.parse(json);
    } catch {
      continue;
    }
    const outcome = engine.evaluate(inputKindOf(input)!, input);
    if (outcome.outcome === 'activity') expected.set(outcome.activity.spec.origin.id, outcome.activity);
  }
  const kinds = new Set([...expected.values()].map((a) => a.spec.origin.type));
  assert.deepEqual([...kinds].sort(), ['audit', 'event'], 'the data gives activities of both sources');

  // Live activities: stale copies of five the run regenerates, and five of origins it never reads.
  const regenerated = [...expected.values()].slice(0, 5);
  const liveOnly = Array.from({ length: 5 }, (_, i): Activity => ({
    ...regenerated[i]!,
    metadata: { ...regenerated[i]!.metadata, name: `live-only-${i}` },
    spec: { ...regenerated[i]!.spec, summary: `kept ${i}`, origin: { type: 'audit', id: `live-only-${i}` } },
  }));
  const stale = regenerated.map((a) => ({ ...a, spec: { ...a.spec, summary: 'stale summary of the live processor' } }));
  await client.insert({
    table: 'audit.activities',
    values: [...stale, ...liveOnly].map((a) => ({ activity_json: JSON.stringify(a), reindex_version: '2026-01-01 00:00:00.000' })),
    format: 'JSONEachRow',
  });
  const shapes = await tableShapes(client);

  const job = join(ROOT, 'test/fixtures/jobs/last-two-days.yaml');
  const code = await main(['node', 'reindex', '--data-dir', dataDir, 'run', '-f', job, '--policies', POLICIES, '--json']);
  assert.equal(code, 0);

  const stored = await storedActivities();
  for (const [originId, activity] of expected) assert.deepEqual(stored.get(originId), activity, `activity of ${originId}`);
  for (const a of liveOnly) assert.deepEqual(stored.get(a.spec.origin.id), a, 'a live activity the run never regenerates survives');
  assert.equal(stored.size, expected.size + liveOnly.length);
  assert.deepEqual(await tableShapes(client), shapes, 'same tables, engines, sorting keys; none re-created');
});
