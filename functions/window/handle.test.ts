import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import type { RawPage } from '../../shared/clickhouse/read-window.js';
import type { WindowProgress } from '../../shared/contracts/window-progress.js';
import { silentLogger } from '../../shared/log.js';
import { createWindowMetrics } from '../../shared/metrics/window-metrics.js';
import { requestedEvent, TEST_SIGNING_KEY, windowRequest } from '../../test/window-function-fixtures.js';
import { createEvaluatePool, type EvaluatePool } from './evaluate-pool.js';
import { handle } from './handle.js';

// Row i of the page, as ClickHouse sends it: every third a deployment
// created (an activity), then a pod read (nothing), then a configmap update
// (a CEL error under TEST_POLICIES' configmaps-broken).
const KINDS = [
  { verb: 'create', resource: 'deployments', apiGroup: 'apps' },
  { verb: 'get', resource: 'pods', apiGroup: '' },
  { verb: 'update', resource: 'configmaps', apiGroup: '' },
] as const;

function row(i: number): string {
  const kind = KINDS[i % 3]!;
  const ts = new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString();
  const auditID = `row-${i}`;
  const event = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID,
    stage: 'ResponseComplete',
    verb: kind.verb,
    user: { username: 'alice@example.com', uid: 'u-1' },
    objectRef: { resource: kind.resource, namespace: 'web', name: `obj-${i}`, ...(kind.apiGroup ? { apiGroup: kind.apiGroup } : {}), apiVersion: 'v1' },
    responseStatus: { code: 200 },
    requestReceivedTimestamp: ts,
    stageTimestamp: ts,
  };
  return `${ts.slice(0, -1).replace('T', ' ')}000\t${auditID}\t${i}\t${JSON.stringify(event)}`;
}

/** What the first n rows give: one activity per created deployment, one error per configmap. */
function countsOf(n: number) {
  const of = (k: number) => Math.floor((n - k + 2) / 3);
  return { processedEvents: n, activitiesGenerated: of(0), errors: of(2) };
}

test('a page larger than batchSize is evaluated and counted batch by batch, its progress moving within the page', async (t) => {
  const ROWS = 650;
  const page: RawPage = { bytes: Buffer.from(Array.from({ length: ROWS }, (_, i) => row(i)).join('\n')), rows: ROWS };
  const pool = createEvaluatePool(0);
  t.after(() => pool.close());
  // The real evaluator, watched: how many rows each call is given.
  const evaluated: number[] = [];
  const watched: EvaluatePool = {
    check: (request) => pool.check(request),
    evaluate: (request, kind, bytes, output) => {
      evaluated.push(Buffer.from(bytes).toString().split('\n').filter((l) => l !== '').length);
      return pool.evaluate(request, kind, bytes, output);
    },
    close: () => pool.close(),
  };
  const reports: WindowProgress[] = [];
  const registry = new Registry();
  // 100 rows a batch at 1,000 rows/s: the one page takes ~0.55 s, reported every 20 ms.
  const request = windowRequest({ batchSize: 100, rateLimit: 1_000, dryRun: true });
  const reply = await handle(requestedEvent(request), {
    readWindow: async function* () {
      yield page;
    },
    evaluatePool: watched,
    createPublisher: () => {
      throw new Error('a dry run publishes nothing');
    },
    reportProgress: async (p) => {
      reports.push(p);
    },
    progressIntervalMs: 20,
    ready: async () => ({ nats: true, clickhouse: true }),
    metrics: createWindowMetrics(registry),
    registry,
    log: silentLogger,
    signingKey: TEST_SIGNING_KEY,
  });

  assert.deepEqual(evaluated, [100, 100, 100, 100, 100, 100, 50], 'the page evaluated in batches of batchSize');
  const { processedEvents, activitiesGenerated, errors } = reply.data!;
  assert.deepEqual({ processedEvents, activitiesGenerated, errors }, countsOf(ROWS));
  assert.ok(reply.data!.durationMs >= 500, `paced at the rate: ${reply.data!.durationMs} ms`);
  // Reports while the page ran: counts rising, each exactly those of the
  // batches counted so far (a batch's activities never ahead of its events).
  const moving = reports.map((r) => r.processedEvents);
  assert.ok(new Set(moving.filter((n) => n > 0 && n < ROWS)).size >= 3, `processedEvents moved within the page: ${moving.join(', ')}`);
  for (const r of reports) {
    assert.ok(r.processedEvents % 100 === 0 || r.processedEvents === ROWS, `whole batches only: ${r.processedEvents}`);
    assert.deepEqual(
      { processedEvents: r.processedEvents, activitiesGenerated: r.activitiesGenerated, errors: r.errors },
      countsOf(r.processedEvents),
    );
  }
  assert.deepEqual(moving, [...moving].sort((a, b) => a - b), 'never down');
});
