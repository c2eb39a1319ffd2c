import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMigrations } from '../../migrations/run-migrations.js';
import { createClickHouseClient } from '../clickhouse/create-clickhouse-client.js';
import { DEFAULT_TABLES } from '../clickhouse/source-tables.js';
import { compilePolicies } from '../policy/policy-engine.js';
import { demoPolicies } from './demo-policies.js';
import { generateDemoData } from './generate-demo-data.js';
import { loadDemoData } from './load-demo-data.js';

const client = createClickHouseClient({ dataDir: mkdtempSync(join(tmpdir(), 'reindex-demo-')) });
after(() => client.close());

test('loads the demo rows in batches and reports what it inserted', async () => {
  await runMigrations(client);
  const progress: number[] = [];
  const counts = await loadDemoData(client, DEFAULT_TABLES, { events: 2500, days: 2, now: new Date(), batchSize: 400, onProgress: (n) => progress.push(n) });
  assert.equal(counts.auditLogs + counts.k8sEvents, 2500);
  const [row] = await (await client.query({
    query: 'SELECT (SELECT count() FROM audit.audit_logs) AS a, (SELECT count() FROM audit.k8s_events) AS e',
    format: 'JSONEachRow',
  })).json<{ a: number; e: number }>();
  assert.deepEqual([Number(row.a), Number(row.e)], [counts.auditLogs, counts.k8sEvents]);
  assert.ok(progress.length >= 6, 'inserted in several batches');
  assert.equal(progress[progress.length - 1], 2500);
});

test('demo policies compile and turn a realistic share of the demo data into activities', () => {
  const engine = compilePolicies(demoPolicies);
  const data = generateDemoData({ events: 3000, days: 1, now: new Date('2026-03-10T00:00:00Z') });
  const tally = { audit: { activity: 0, total: 0, error: 0 }, event: { activity: 0, total: 0, error: 0 } };
  const summaries = new Set<string>();
  for (const [kind, rows] of [['audit', data.auditLogs], ['event', data.k8sEvents]] as const) {
    for (const json of rows) {
      let input: unknown;
      try { input = JSON.parse(json); } catch { continue; }
      const outcome = engine.evaluate(kind, input);
      tally[kind].total++;
      if (outcome.outcome === 'activity') {
        tally[kind].activity++;
        summaries.add(outcome.activity.spec.summary.split(' ').slice(1, 3).join(' '));
      }
      if (outcome.outcome === 'error') tally[kind].error++;
    }
  }
  for (const kind of ['audit', 'event'] as const) {
    const share = tally[kind].activity / tally[kind].total;
    assert.ok(share > 0.4 && share < 0.9, `${kind} activity share ${share}`);
    assert.equal(tally[kind].error, 0, `${kind} evaluation errors`);
  }
  assert.ok(summaries.size > 20, 'a variety of summaries');
});
