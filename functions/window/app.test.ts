import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { HTTP } from 'cloudevents';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Registry } from 'prom-client';
import type { RawPage } from '../../shared/clickhouse/read-window.js';
import { EXT_JOB, EXT_WINDOW, resultId, WINDOW_COMPLETED, WINDOW_FUNCTION_SOURCE } from '../../shared/contracts/cloud-event-types.js';
import { WindowCompleted } from '../../shared/contracts/window-completed.js';
import { silentLogger } from '../../shared/log.js';
import { createWindowMetrics } from '../../shared/metrics/window-metrics.js';
import { createActivityPublisher } from '../../shared/nats/activity-publisher.js';
import { connectNats } from '../../shared/nats/connect-nats.js';
import { ensureStream } from '../../shared/nats/ensure-stream.js';
import { readStreamMessages } from '../../shared/nats/read-stream-messages.js';
import { DEFAULT_STREAM } from '../../shared/nats/stream-config.js';
import { startNatsServer } from '../../local/nats-server.js';
import { cloudEventPost, requestedEvent, TEST_SIGNING_KEY, windowRequest } from '../../test/window-function-fixtures.js';
import { createEvaluatePool } from './evaluate-pool.js';
import { startWindowFunction } from './start-window-function.js';
import type { Readiness, WindowDeps } from './window-deps.js';

// ClickHouse is the outside system replaced here: rows come from memory.
// The policy engine and NATS are the real ones.
// Lines as ClickHouse sends a page (readWindowRawPages): time, id, cursor hash, event_json.
const AUDIT_ROWS: string[] = [
  row('a1', { verb: 'create', resource: 'deployments', apiGroup: 'apps', name: 'web' }),
  row('a2', { verb: 'delete', resource: 'pods', apiGroup: '', name: 'db-0' }),
  row('a3', { verb: 'get', resource: 'pods', apiGroup: '', name: 'db-0' }),
  row('a4', { verb: 'update', resource: 'configmaps', apiGroup: '', name: 'flags' }),
  '2025-01-01 00:00:05.000000\ta5\t5\t{"kind":"Event",',
  row('a6', { verb: 'patch', resource: 'deployments', apiGroup: 'apps', name: 'api' }),
];

function row(auditID: string, o: { verb: string; resource: string; apiGroup: string; name: string }): string {
  const ts = `2025-01-01T00:00:0${auditID.slice(1)}.000000Z`;
  const event = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID,
    stage: 'ResponseComplete',
    verb: o.verb,
    user: { username: 'alice@example.com', uid: 'u-1' },
    objectRef: { resource: o.resource, namespace: 'web', name: o.name, ...(o.apiGroup ? { apiGroup: o.apiGroup } : {}), apiVersion: 'v1' },
    responseStatus: { code: 200 },
    requestReceivedTimestamp: ts,
    stageTimestamp: ts,
  };
  return `${ts.slice(0, -1).replace('T', ' ')}\t${auditID}\t${auditID.length}\t${JSON.stringify(event)}`;
}

async function* pagesOf(rows: string[], size: number): AsyncGenerator<RawPage> {
  for (let i = 0; i < rows.length; i += size) {
    const page = rows.slice(i, i + size);
    yield { bytes: Buffer.from(page.join('\n')), rows: page.length };
  }
}

interface Setup {
  url: string;
  nc?: NatsConnection;
  registry: Registry;
}

async function serve(
  t: TestContext,
  o: { rows?: string[]; nats?: boolean; ready?: Readiness; maxBodyBytes?: number; readFails?: boolean; workers?: number } = {},
): Promise<Setup> {
  let nc: NatsConnection | undefined;
  if (o.nats) {
    const server = await startNatsServer();
    nc = await connectNats(server.url);
    await ensureStream(await jetstreamManager(nc));
    t.after(async () => {
      await nc?.close();
      await server.destroy();
    });
  }
  const registry = new Registry();
  const deps: WindowDeps = {
    readWindow: () => {
      if (o.readFails) return (async function* () { throw new Error('connect ECONNREFUSED 127.0.0.1:8123'); })();
      return pagesOf(o.rows ?? AUDIT_ROWS, 100);
    },
    evaluatePool: createEvaluatePool(o.workers ?? 0),
    createPublisher: () => {
      if (!nc) throw new Error('this test publishes nothing');
      return createActivityPublisher(jetstream(nc));
    },
    ready: async () => o.ready ?? { nats: true, clickhouse: true },
    metrics: createWindowMetrics(registry),
    registry,
    log: silentLogger,
    maxBodyBytes: o.maxBodyBytes,
    signingKey: TEST_SIGNING_KEY,
  };
  const fn = await startWindowFunction(deps);
  t.after(() => fn.close(100));
  t.after(() => deps.evaluatePool.close());
  return { url: fn.url, nc, registry };
}

async function post(url: string, init: RequestInit) {
  const res = await fetch(`${url}/`, init);
  const body = await res.text();
  return { res, body };
}

for (const mode of ['binary', 'structured'] as const) {
  test(`takes a ${mode}-mode window and replies with window.completed in binary mode`, async (t) => {
    const { url, nc } = await serve(t, { nats: true });
    const { res, body } = await post(url, cloudEventPost(requestedEvent(windowRequest({ window: { index: 3 } })), mode));
    assert.equal(res.status, 200, body);
    assert.equal(res.headers.get('ce-type'), WINDOW_COMPLETED);
    const reply = HTTP.toEvent({ headers: Object.fromEntries(res.headers), body });
    assert.ok(!Array.isArray(reply));
    assert.equal(reply.id, resultId('job-uid-1', 3));
    assert.equal(reply.source, WINDOW_FUNCTION_SOURCE);
    assert.equal(reply.subject, 'reindexjobs/backfill/windows/3');
    assert.equal(reply[EXT_JOB], 'backfill');
    assert.equal(String(reply[EXT_WINDOW]), '3');
    const data = WindowCompleted.parse(reply.data);
    assert.equal(data.processedEvents, 6);
    assert.equal(data.activitiesGenerated, 3);
    // One malformed row, one configmap whose policy's CEL fails.
    assert.equal(data.errors, 2);
    assert.deepEqual(
      data.errorSamples.map((s) => [s.originId, s.policy, s.rule]),
      [
        ['a4', 'configmaps-broken', 'owner'],
        ['a5', '', ''],
      ],
    );
    const stored = await readStreamMessages(nc!, DEFAULT_STREAM);
    assert.deepEqual(
      stored.map((m) => m.subject),
      [
        'activity_miloapis_com_reindex.platform.apps.Deployment',
        'activity_miloapis_com_reindex.platform.core.Pod',
        'activity_miloapis_com_reindex.platform.apps.Deployment',
      ],
    );
  });
}

test('a dry run publishes nothing and reports the counts of a real run', async (t) => {
  const { url, nc } = await serve(t, { nats: true });
  const dry = await post(url, cloudEventPost(requestedEvent(windowRequest({ dryRun: true }))));
  assert.equal(dry.res.status, 200);
  assert.equal((await (await jetstreamManager(nc!)).streams.info(DEFAULT_STREAM)).state.messages, 0);
  const real = await post(url, cloudEventPost(requestedEvent(windowRequest({ dryRun: false }))));
  const counts = (body: string) => {
    const { durationMs: _, ...rest } = WindowCompleted.parse(JSON.parse(body));
    return rest;
  };
  assert.deepEqual(counts(dry.body), counts(real.body));
  assert.equal((await (await jetstreamManager(nc!)).streams.info(DEFAULT_STREAM)).state.messages, 3);
});

test('replies 400 naming the event type when it is not window.requested', async (t) => {
  const { url } = await serve(t);
  const { res, body } = await post(url, cloudEventPost(requestedEvent(windowRequest(), 'com.example.other')));
  assert.equal(res.status, 400);
  assert.match(JSON.parse(body).error, /unknown CloudEvent type "com\.example\.other"/);
});

test('replies 400 naming the field that is wrong', async (t) => {
  const { url } = await serve(t);
  const bad = { ...windowRequest(), window: { ...windowRequest().window, source: 'logs' }, batchSize: 0 };
  const { res, body } = await post(url, cloudEventPost(requestedEvent(bad)));
  assert.equal(res.status, 400);
  const { error } = JSON.parse(body);
  assert.match(error, /window\.source/);
  assert.match(error, /batchSize/);
});

test('replies 400 to a body that is not a CloudEvent', async (t) => {
  const { url } = await serve(t);
  const { res, body } = await post(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"hello":1}' });
  assert.equal(res.status, 400);
  assert.deepEqual(JSON.parse(body), {
    error: 'invalid CloudEvent attribute "specversion": required: no ce-specversion header, and the content type is not structured mode',
    attribute: 'specversion',
  });
});

test('replies 400 naming policy and rule when the snapshot does not compile', async (t) => {
  const { url } = await serve(t);
  const policies = [
    { metadata: { name: 'broken' }, spec: { resource: { apiGroup: 'apps', kind: 'Deployment' }, auditRules: [{ name: 'r1', match: 'audit.verb ==', summary: 'x' }] } },
  ];
  const { res, body } = await post(url, cloudEventPost(requestedEvent(windowRequest({ policies, job: { uid: 'compile-fail' } }))));
  assert.equal(res.status, 400);
  assert.match(JSON.parse(body).error, /"broken" rule "r1"/);
});

test('replies 413 to a body over the size limit', async (t) => {
  const { url } = await serve(t, { maxBodyBytes: 2048 });
  const big = windowRequest({ policies: Array.from({ length: 40 }, (_, i) => ({ ...windowRequest().policies[0], metadata: { name: `p${i}` } })) });
  const { res, body } = await post(url, cloudEventPost(requestedEvent(big), 'structured'));
  assert.equal(res.status, 413);
  assert.match(JSON.parse(body).error, /exceeds 2048 bytes/);
});

test('replies 503 when ClickHouse does not answer, so the broker retries', async (t) => {
  const { url } = await serve(t, { readFails: true, nats: true });
  const { res, body } = await post(url, cloudEventPost(requestedEvent(windowRequest())));
  assert.equal(res.status, 503);
  assert.match(JSON.parse(body).error, /reading audit rows .* ECONNREFUSED/);
});

test('/readyz is 503 until both NATS and ClickHouse answer; /healthz is always 200', async (t) => {
  const down = await serve(t, { ready: { nats: false, clickhouse: true } });
  const res = await fetch(`${down.url}/readyz`);
  assert.equal(res.status, 503);
  assert.deepEqual(await res.json(), { nats: false, clickhouse: true });
  assert.equal((await fetch(`${down.url}/healthz`)).status, 200);
  const up = await serve(t);
  assert.equal((await fetch(`${up.url}/readyz`)).status, 200);
});

test('/metrics exposes the activity_reindex_* metrics and process metrics', async (t) => {
  const { url } = await serve(t, { nats: true });
  await post(url, cloudEventPost(requestedEvent(windowRequest())));
  await post(url, cloudEventPost(requestedEvent(windowRequest(), 'com.example.other')));
  const text = await (await fetch(`${url}/metrics`)).text();
  // The Activity system reindexer's names and labels (datum-cloud/activity internal/reindex/metrics.go).
  assert.match(text, /activity_reindex_events_processed_total\{source_type="audit",policy="all",dry_run="false"\} 6/);
  const byPolicy = (name: string) =>
    [...text.matchAll(new RegExp(`^${name}\\{policy="([^"]+)"(?:,dry_run="false")?\\} (\\d+)$`, 'gm'))].map(([, policy, n]) => [policy, Number(n)]);
  const generated = byPolicy('activity_reindex_activities_generated_total');
  assert.ok(generated.length > 0 && generated.every(([policy]) => policy !== 'all' && policy !== ''), 'generated activities are counted by policy name');
  assert.equal(generated.reduce((sum, [, n]) => sum + Number(n), 0), 3);
  assert.deepEqual(byPolicy('activity_reindex_activities_published_total'), generated, 'every generated activity was published, by policy');
  assert.match(text, /activity_reindex_errors_total\{error_type="malformed_row"\} 1/);
  assert.match(text, /activity_reindex_errors_total\{error_type="evaluation"\} 1/);
  assert.match(text, /activity_reindex_errors_total\{error_type="invalid_event"\} 1/);
  assert.match(text, /^activity_reindex_batch_duration_seconds_bucket\{le="0.005"\}/m);
  assert.match(text, /activity_reindex_window_duration_seconds_count\{source="audit",outcome="completed"\} 1/);
  assert.match(text, /process_resident_memory_bytes/);
});

test('evaluated in this thread or in a worker, a window gives the same reply, stream and metrics', async (t) => {
  const runs = [];
  for (const workers of [0, 1]) {
    const { url, nc, registry } = await serve(t, { nats: true, workers });
    const { res, body } = await post(url, cloudEventPost(requestedEvent(windowRequest({ job: { uid: `job-w${workers}` } }))));
    assert.equal(res.status, 200, body);
    const { durationMs: _, ...data } = WindowCompleted.parse(JSON.parse(body));
    const stored = (await readStreamMessages(nc!, DEFAULT_STREAM)).map((m) => [m.subject, m.data]);
    const counters = (await registry.getMetricsAsJSON())
      .filter((m) => String(m.type) === 'counter' && m.name.startsWith('activity_reindex_'))
      .map((m) => [m.name, (m.values as { value: number; labels: object }[]).map((v) => [v.labels, v.value])]);
    runs.push({ data: { ...data, job: undefined }, stored, counters });
  }
  assert.equal(runs[0]!.data.errors, 2);
  assert.equal(runs[0]!.stored.length, 3);
  assert.deepEqual(runs[1], runs[0]);
});
