import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMigrations } from '../migrations/run-migrations.js';
import { countBuckets } from '../shared/clickhouse/count-buckets.js';
import { createClickHouseClient } from '../shared/clickhouse/create-clickhouse-client.js';
import { chooseBucketSeconds, planWindows } from '../shared/clickhouse/plan-windows.js';
import { readWindowPages } from '../shared/clickhouse/read-window.js';
import { DEFAULT_TABLES } from '../shared/clickhouse/source-tables.js';
import { loadDemoData } from '../shared/demo/load-demo-data.js';

const client = createClickHouseClient({ dataDir: mkdtempSync(join(tmpdir(), 'reindex-planning-')) });
after(() => client.close());

test('windows planned from bucket counts cover the range exactly: reading them all returns every row once', async () => {
  await runMigrations(client);
  const now = new Date('2026-03-10T00:00:00.000Z');
  const loaded = await loadDemoData(client, DEFAULT_TABLES, { events: 6000, days: 2, now, batchSize: 1500 });
  // An odd range that cuts the data in the middle, with a from not on a bucket boundary.
  const from = '2026-03-08T05:17:23.456Z';
  const to = '2026-03-09T21:03:00.001Z';
  const bucketSeconds = chooseBucketSeconds(from, to);
  const [audit, event] = await Promise.all([
    countBuckets(client, DEFAULT_TABLES, 'audit', { from, to }, bucketSeconds),
    countBuckets(client, DEFAULT_TABLES, 'event', { from, to }, bucketSeconds),
  ]);
  assert.equal(audit[0].start, new Date(Date.parse(from) + Math.floor((Date.parse(audit[0].start) - Date.parse(from)) / (bucketSeconds * 1000)) * bucketSeconds * 1000).toISOString());
  const windows = planWindows({ from, to, bucketSeconds, buckets: { audit, event }, targetEvents: 400 });
  assert.ok(windows.length > 10);

  const [{ a, e }] = await (
    await client.query({
      query: `SELECT (SELECT count() FROM audit.audit_logs WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}) AS a,
                     (SELECT count() FROM audit.k8s_events WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}) AS e`,
      query_params: { from: from.replace('T', ' ').slice(0, 23), to: to.replace('T', ' ').slice(0, 23) },
      format: 'JSONEachRow',
    })
  ).json<{ a: number; e: number }>();
  assert.ok(Number(a) > 0 && Number(a) < loaded.auditLogs, 'the range cuts the audit data');

  const seen = { audit: new Set<string>(), event: new Set<string>() };
  for (const w of windows) {
    let inWindow = 0;
    for await (const page of readWindowPages(client, DEFAULT_TABLES, w, { maxRows: 150, firstRows: 150 })) {
      for (const row of page) {
        assert.ok(!seen[w.source].has(row.id), `${row.id} read twice`);
        seen[w.source].add(row.id);
        assert.ok(row.timestamp.slice(0, 23) >= w.from.slice(0, 23) && row.timestamp.slice(0, 23) < w.to.slice(0, 23));
      }
      inWindow += page.length;
    }
    assert.equal(inWindow, w.expectedEvents, `window ${w.index} holds what planning counted`);
  }
  assert.equal(seen.audit.size, Number(a));
  assert.equal(seen.event.size, Number(e));
});
