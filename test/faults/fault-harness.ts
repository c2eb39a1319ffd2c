// What every fault scenario shares (issue 19): a small seeded data set in
// embedded ClickHouse, the whole local stack (API stand-in, controller,
// broker routing by knative/, window function, aggregator, sink) over a real
// nats-server this harness owns (so a scenario can kill and restart it),
// proxies a scenario can put in front of the window function or the
// aggregator, and the two things a scenario asserts: the job's counts and
// the rows of `audit.activities FINAL`, exactly, against a run without the
// fault on the same data.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { setTimeout as delay } from 'node:timers/promises';
import { GROUP, REINDEXJOB_PLURAL, type ReindexJob, type ReindexJobSpec } from '../../shared/api/reindex-job.js';
import { createClickHouseClient } from '../../shared/clickhouse/create-clickhouse-client.js';
import { DEFAULT_TABLES } from '../../shared/clickhouse/source-tables.js';
import { sourceTimeSpan } from '../../shared/clickhouse/source-time-span.js';
import { TABLE, tableParams } from '../../shared/clickhouse/table-params.js';
import { demoPolicies } from '../../shared/demo/demo-policies.js';
import { loadDemoData } from '../../shared/demo/load-demo-data.js';
import { silentLogger } from '../../shared/log.js';
import { planJobWindows } from '../../controller/plan-job-windows.js';
import { runMigrations } from '../../migrations/run-migrations.js';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../local/local-stack.js';
import { startNatsServer, type NatsServerHandle } from '../../local/nats-server.js';
import { runLocalJob } from '../../local/run-local-job.js';

/**
 * The manifests' backoff (seconds) scaled down: at 0.01 a window's six
 * retries span about 1.3 s (PT2S doubling) and a result's ten about 10 s
 * (PT1S doubling).
 */
export const RETRY_DELAY_SCALE = 0.01;

export interface FaultHarnessOptions {
  /** Demo rows to seed (default 2000: three windows or more at batchSize 100). */
  events?: number;
  seed?: number;
  retryDelayScale?: number;
  /**
   * Plan windows of at most this many events with the controller's own
   * planner, below the floor a ReindexJob's settings allow
   * (MIN_WINDOW_EVENTS): many small windows from little data.
   */
  windowEvents?: number;
  /** Deliveries the Broker runs at once (the local stack's default 32 holds a 256-way job back). */
  brokerConcurrency?: number;
}

/** What a scenario compares: the job's counts and the sink's rows under FINAL. */
export interface RunOutcome {
  job: ReindexJob;
  counts: { phase: string; processedEvents: number; activitiesGenerated: number; errors: number; windows: number; completed: number; failed: number };
  /** Sorted `origin_id  summary` of every row of audit.activities FINAL. */
  rows: string[];
}

/** Paced so a job lasts a few seconds and a fault lands inside it. */
export const PACED = { rateLimit: 1000 };

/** The same job counts and exactly the same rows in audit.activities FINAL. */
export function assertSameAsBaseline(run: RunOutcome, baseline: RunOutcome): void {
  assert.deepEqual(run.counts, baseline.counts, run.job.status?.message);
  assert.equal(run.rows.length, baseline.rows.length, 'rows in audit.activities FINAL');
  assert.deepEqual(run.rows, baseline.rows);
}

export interface FaultHarness {
  clickhouse: ClickHouseClient;
  stack: LocalStack;
  nats: NatsServerHandle;
  /** The whole seeded span, end exclusive. */
  range: { startTime: string; endTime: string };
  windowProxy: FaultProxy;
  aggregatorProxy: FaultProxy;
  /** Between the controller and the Broker's ingress. */
  ingressProxy: FaultProxy;
  /**
   * Empties audit.activities (a temp database only this harness writes),
   * runs one job to its end (bounded by `timeoutMs`), drains the sink and
   * reads back what the sink holds under FINAL.
   */
  run(name: string, config?: ReindexJobSpec['config'], opts?: { timeoutMs?: number }): Promise<RunOutcome>;
  /** `run('baseline')`, checked to have Succeeded over several windows with activities. */
  baseline(config?: ReindexJobSpec['config']): Promise<RunOutcome>;
  /** The job's status as the API stand-in holds it now. */
  status(name: string): ReindexJob['status'];
  /** Waits until `check` holds (polling every 20 ms), failing after `timeoutMs`. */
  waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs?: number): Promise<void>;
  /** Adds rows (event_json objects) to a source table. */
  insertRows(source: 'audit' | 'event', rows: unknown[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * A pass-through HTTP proxy a scenario steers: `copies` sends every request
 * that many times to the target (the last answer goes back, as when a
 * delivery is repeated after a lost acknowledgement), `refuse` answers 503
 * without forwarding (a pod that is down), `onRequest` sees each request's
 * headers first.
 */
export interface FaultProxy {
  readonly url: string;
  copies: number;
  refuse: boolean;
  /** Requests the proxy received and forwarded (each copy counted). */
  forwarded: number;
  refused: number;
  /** How many answers of each HTTP status the target gave (the last copy's, when copied). */
  answers: Map<number, number>;
  onRequest?: (headers: IncomingMessage['headers']) => void;
  /** Awaited before a request is forwarded (after onRequest): a scenario holds requests back and lets them go together. */
  beforeForward?: (headers: IncomingMessage['headers']) => Promise<void> | void;
  /** The most requests the target had from this proxy at one time. */
  maxConcurrent: number;
  /** Called once a request went through; a status it returns is answered instead of the target's. */
  afterForward?: (headers: IncomingMessage['headers']) => number | undefined;
  close(): Promise<void>;
}

export async function startFaultProxy(target: () => string): Promise<FaultProxy> {
  let server: Server;
  let concurrent = 0;
  const proxy: FaultProxy = {
    url: '',
    copies: 1,
    refuse: false,
    forwarded: 0,
    refused: 0,
    answers: new Map(),
    maxConcurrent: 0,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    proxy.onRequest?.(req.headers);
    if (proxy.refuse) {
      proxy.refused++;
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"down (fault proxy)"}');
      return;
    }
    await proxy.beforeForward?.(req.headers);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (typeof v === 'string' && !['host', 'content-length', 'connection'].includes(k)) headers[k] = v;
    }
    try {
      let answer: Response | undefined;
      const copies = proxy.copies;
      for (let i = 0; i < copies; i++) {
        proxy.forwarded++;
        proxy.maxConcurrent = Math.max(proxy.maxConcurrent, ++concurrent);
        try {
          answer = await fetch(`${target()}${req.url ?? '/'}`, { method: req.method, headers, body: req.method === 'GET' ? undefined : body });
        } finally {
          concurrent--;
        }
        if (i < copies - 1) await answer.arrayBuffer();
      }
      proxy.answers.set(answer!.status, (proxy.answers.get(answer!.status) ?? 0) + 1);
      const instead = proxy.afterForward?.(req.headers);
      if (instead !== undefined) {
        await answer!.arrayBuffer();
        res.writeHead(instead).end();
        return;
      }
      const out: Record<string, string> = {};
      answer!.headers.forEach((v, k) => {
        if (!['content-length', 'connection', 'transfer-encoding', 'keep-alive'].includes(k)) out[k] = v;
      });
      res.writeHead(answer!.status, out).end(Buffer.from(await answer!.arrayBuffer()));
    } catch (err) {
      // The target is down: what the Broker sees of a pod that does not answer.
      res.writeHead(502).end(String((err as Error).message));
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  (proxy as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}

/** A scenario file's harness and its run without the fault, once the file's first `before` has run. */
export interface FaultScenario {
  readonly h: FaultHarness;
  readonly baseline: RunOutcome;
}

/**
 * The before/after every scenario file shares: a harness over the seeded
 * data and a run without the fault (`h.baseline(baselineConfig)`), closed
 * after the file's tests. `setUp` runs next in the same hook (a file's data
 * faults and its run with them): Node 20 starts a file's top-level `before`
 * hooks together, not one after the other.
 */
export function faultScenario(
  opts: FaultHarnessOptions = {},
  baselineConfig?: ReindexJobSpec['config'],
  setUp?: (scenario: FaultScenario) => Promise<void>,
): FaultScenario {
  let h: FaultHarness | undefined;
  let baseline: RunOutcome | undefined;
  before(async () => {
    h = await startFaultHarness(opts);
    baseline = await h.baseline(baselineConfig);
    await setUp?.(scenario);
  });
  after(async () => {
    await h?.close();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the fault scenario starts in before()');
    return value;
  };
  const scenario: FaultScenario = {
    get h() {
      return started(h);
    },
    get baseline() {
      return started(baseline);
    },
  };
  return scenario;
}

export async function startFaultHarness(opts: FaultHarnessOptions = {}): Promise<FaultHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'reindex-faults-'));
  const clickhouse = createClickHouseClient({ dataDir: join(dir, 'chdb') });
  const closers: Array<() => Promise<unknown>> = [async () => rmSync(dir, { recursive: true, force: true }), () => clickhouse.close()];
  const close = async () => {
    for (const fn of closers.reverse()) await fn().catch(() => undefined);
  };
  try {
    await runMigrations(clickhouse);
    // Recent data: a job's start may be no older than the retention.
    await loadDemoData(clickhouse, DEFAULT_TABLES, { events: opts.events ?? 2000, days: 1, now: new Date(), seed: opts.seed ?? 19 });
    const insertRows = async (source: 'audit' | 'event', rows: unknown[]): Promise<void> => {
      if (rows.length === 0) return;
      await clickhouse.insert({
        table: source === 'audit' ? DEFAULT_TABLES.auditLogs : DEFAULT_TABLES.k8sEvents,
        columns: ['event_json'],
        values: rows.map((r) => ({ event_json: typeof r === 'string' ? r : JSON.stringify(r) })),
        format: 'JSONEachRow',
      });
    };
    const span = await sourceTimeSpan(clickhouse, DEFAULT_TABLES);
    if (!span) throw new Error('no rows seeded');
    const range = { startTime: span.first, endTime: new Date(Date.parse(span.last) + 1).toISOString() };

    const nats = await startNatsServer({ storeDir: join(dir, 'nats') });
    closers.push(() => nats.destroy());
    // The proxies forward to whatever the stack's URLs are once it runs.
    const urls: Record<string, string> = {};
    const windowProxy = await startFaultProxy(() => urls['reindex-window']!);
    const aggregatorProxy = await startFaultProxy(() => urls['reindex-aggregator']!);
    const ingressUrl = () => new URL(urls['broker-ingress']!).origin;
    const ingressProxy = await startFaultProxy(ingressUrl);
    closers.push(() => windowProxy.close(), () => aggregatorProxy.close(), () => ingressProxy.close());
    const stackOptions: LocalStackOptions = {
      clickhouse,
      tables: DEFAULT_TABLES,
      log: silentLogger,
      natsUrl: nats.url,
      // Our own nats-server: the stack sets its stream up.
      setup: true,
      retryDelayScale: opts.retryDelayScale ?? RETRY_DELAY_SCALE,
      statusPage: false,
      // In-thread: a worker thread compiling TypeScript at start costs more than this little data.
      evaluateWorkers: 0,
      brokerConcurrency: opts.brokerConcurrency,
      planWindows: opts.windowEvents === undefined ? undefined : (range) => planJobWindows({ clickhouse, tables: DEFAULT_TABLES }, range, opts.windowEvents!),
      route: (to, url) => {
        urls[to] = url;
        if (to === 'broker-ingress') return `${ingressProxy.url}${new URL(url).pathname}`;
        return to === 'reindex-window' ? windowProxy.url : aggregatorProxy.url;
      },
    };
    const stack = await startLocalStack(stackOptions);
    closers.push(() => stack.close());

    const finalRows = async (): Promise<string[]> => {
      const rs = await clickhouse.query({
        query: `SELECT origin_id, summary FROM ${TABLE} FINAL ORDER BY origin_id, summary`,
        query_params: tableParams(DEFAULT_TABLES.activities),
        format: 'JSONCompactEachRow',
      });
      return (await rs.json<[string, string]>()).map(([id, summary]) => `${id}  ${summary}`);
    };

    const run: FaultHarness['run'] = async (name, config = {}, runOpts = {}) => {
      await clickhouse.command({ query: `TRUNCATE TABLE ${TABLE}`, query_params: tableParams(DEFAULT_TABLES.activities) });
      const job = await runLocalJob(stack, {
        name,
        spec: { timeRange: { ...range }, config: { batchSize: 100, rateLimit: 1_000_000, parallelism: 4, ...config } },
        policies: demoPolicies,
        pollMs: 50,
        timeoutMs: runOpts.timeoutMs ?? 150_000,
      });
      const s = job.status ?? {};
      return {
        job,
        counts: {
          phase: s.phase ?? '',
          processedEvents: s.progress?.processedEvents ?? -1,
          activitiesGenerated: s.progress?.activitiesGenerated ?? -1,
          errors: s.progress?.errors ?? -1,
          windows: s.windows?.total ?? -1,
          completed: s.windows?.completed ?? -1,
          failed: s.windows?.failed ?? -1,
        },
        rows: await finalRows(),
      };
    };

    return {
      clickhouse,
      stack,
      nats,
      range,
      windowProxy,
      aggregatorProxy,
      ingressProxy,
      run,
      async baseline(config) {
        const outcome = await run('baseline', config);
        assert.equal(outcome.counts.phase, 'Succeeded', outcome.job.status?.message);
        assert.ok(outcome.counts.windows >= 3, `several windows (${outcome.counts.windows})`);
        assert.ok(outcome.rows.length > 500, `activities stored (${outcome.rows.length})`);
        return outcome;
      },
      status: (name) => (stack.kube.getObject(GROUP, REINDEXJOB_PLURAL, name) as ReindexJob | undefined)?.status,
      async waitFor(what, check, timeoutMs = 30_000) {
        const deadline = Date.now() + timeoutMs;
        while (!(await check())) {
          if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
          await delay(20);
        }
      },
      insertRows,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
