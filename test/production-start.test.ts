// What a cluster runs: each entry point compiled (tsc with tsconfig.build.json,
// as `npm run build` does), resolving only production dependencies (a
// node_modules holding just the lock's non-dev packages, symlinks kept as
// paths so nothing reaches the dev tree), with CLICKHOUSE_URL set. Each must
// start, answer, and never map chDB's native engine into the process.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { jetstreamManager } from '@nats-io/jetstream';
import { startKubeApiServer, type KubeApiServer } from '../local/kube-api-server.js';
import { startNatsServer, type NatsServerHandle } from '../local/nats-server.js';
import { connectNats } from '../shared/nats/connect-nats.js';
import { loadYamlFile } from './manifests-load.js';
import { ensureStream } from '../shared/nats/ensure-stream.js';

const ROOT = new URL('..', import.meta.url).pathname;
const run = promisify(execFile);
const onLinux = process.platform === 'linux';

let dir: string;
let kube: KubeApiServer;
let nats: NatsServerHandle;
let clickhouse: Server;

/** The lock's top-level packages that the image's `npm ci --omit=dev --omit=optional` installs. */
function productionPackages(): string[] {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; optional?: boolean }> };
  return Object.entries(lock.packages)
    .filter(([path, p]) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(path) && !p.dev && !p.optional)
    .map(([path]) => path.slice('node_modules/'.length));
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'reindex-production-'));
  await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(dir, 'dist')], { cwd: ROOT });
  cpSync(join(ROOT, 'status-page/assets'), join(dir, 'dist/status-page/assets'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  for (const name of productionPackages()) {
    const target = join(ROOT, 'node_modules', name);
    mkdirSync(dirname(join(dir, 'node_modules', name)), { recursive: true });
    try {
      symlinkSync(target, join(dir, 'node_modules', name), 'dir');
    } catch (err) {
      // An optional package for another platform is in the lock but not installed.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  kube = await startKubeApiServer();
  nats = await startNatsServer();
  const nc = await connectNats(nats.url);
  await ensureStream(await jetstreamManager(nc));
  await nc.close();
  // CLICKHOUSE_URL points here: an HTTP endpoint answering as ClickHouse's /ping does.
  clickhouse = createServer((req, res) => {
    req.resume();
    res.end('Ok.\n');
  });
  await new Promise<void>((ok) => clickhouse.listen(0, '127.0.0.1', ok));
});

after(async () => {
  await kube?.close();
  await nats?.destroy();
  clickhouse?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  log: string;
  url: string;
  /** Where its /metrics is served. */
  metricsUrl: string;
}

/** Starts `dist/<entry>` with production dependencies only; resolves once it logged `Started` with its URL or port. */
async function start(entry: string, env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, ['--preserve-symlinks', join(dir, 'dist', entry)], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      LOG_LEVEL: 'info',
      CLICKHOUSE_URL: `http://127.0.0.1:${(clickhouse.address() as AddressInfo).port}`,
      REINDEX_DATA_DIR: join(dir, 'must-not-be-created'),
      // From the Secret on a cluster; the controller and the functions refuse to start without it.
      REINDEX_SIGNING_KEY: 'production-start-test-key-0123456789abcdef',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  const started = await new Promise<{ url: string; metricsUrl: string }>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`${entry} did not start:\n${log}`)), 60_000);
    child.once('exit', (code) => fail(new Error(`${entry} exited with ${code}:\n${log}`)));
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const line = log.split('\n').find((l) => l.includes('"msg":"Started'));
      if (!line) return;
      clearTimeout(timer);
      const { url, port, metricsUrl } = JSON.parse(line) as { url?: string; port?: number; metricsUrl?: string };
      const served = (url ?? `http://127.0.0.1:${port}`).replace(/\/$/, '');
      ok({ url: served, metricsUrl: metricsUrl ?? served });
    });
  });
  return { child, log, ...started };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((ok) => child.once('exit', ok));
  child.kill('SIGKILL');
  await exited;
}

/** Whether chDB's native library is mapped into the process (Linux: /proc/<pid>/maps). */
function loadsChdb(pid: number): boolean {
  return /chdb/i.test(readFileSync(`/proc/${pid}/maps`, 'utf8'));
}

/** A port free a moment ago, for an entry that logs its configured port rather than the bound one. */
async function freePort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  await new Promise((ok) => server.close(ok));
  return String(port);
}

/** The literal `env` values of a workload's first container in its manifest (the rest come from Secrets and ConfigMaps). */
function manifestEnv(file: string): Record<string, string> {
  const docs = loadYamlFile(join(ROOT, 'knative', file)) as any[];
  const workload = docs.find((d) => d.kind === 'Deployment' || d.kind === 'Service' && d.spec?.template);
  const env: { name: string; value?: string }[] = workload.spec.template.spec.containers[0].env ?? [];
  return Object.fromEntries(env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));
}

// Each component, as its manifest runs it; `probe` is a path its serving port answers.
const ENTRIES: { entry: string; env: () => Promise<Record<string, string>> | Record<string, string>; probe: string }[] = [
  {
    entry: 'controller/main.js',
    env: async () => ({ ...manifestEnv('controller-deployment.yaml'), KUBE_API_URL: kube.url, BROKER_URL: 'http://127.0.0.1:9/', PORT: await freePort() }),
    probe: '/healthz',
  },
  { entry: 'functions/window/main.js', env: () => ({ ...manifestEnv('window-service.yaml'), NATS_URL: nats.url, PORT: '0', METRICS_PORT: '0' }), probe: '/healthz' },
  { entry: 'functions/aggregator/main.js', env: () => ({ ...manifestEnv('aggregator-service.yaml'), KUBE_API_URL: kube.url, PORT: '0', METRICS_PORT: '0' }), probe: '/healthz' },
  { entry: 'status-page/main.js', env: () => ({ ...manifestEnv('status-page.yaml'), KUBE_API_URL: kube.url, PORT: '0', HOST: '127.0.0.1', METRICS_PORT: '0' }), probe: '/' },
];

/** Every component's /metrics text, for the dashboard check below. */
const scraped = new Map<string, string>();
const promtool = process.env.PROMTOOL ?? 'promtool';

for (const { entry, env, probe } of ENTRIES) {
  test(`dist/${entry} starts with production dependencies and CLICKHOUSE_URL, serves /metrics, and never loads chDB`, { skip: !onLinux && 'reads /proc' }, async (t) => {
    const { child, url, metricsUrl } = await start(entry, await env());
    t.after(() => stop(child));
    const res = await fetch(`${url}${probe}`);
    assert.equal(res.status, 200, `${probe} answers`);
    await res.arrayBuffer();
    const metrics = await fetch(`${metricsUrl}/metrics`);
    assert.equal(metrics.status, 200);
    const text = await metrics.text();
    scraped.set(entry, text);
    // promtool's lint, except prom-client's own nodejs_* series (names it does not control).
    const own = text.split('\n').filter((l) => !/^(# (HELP|TYPE) )?nodejs_/.test(l)).join('\n');
    const lint = spawnSync(promtool, ['check', 'metrics'], { input: own, encoding: 'utf8' });
    assert.equal(lint.status, 0, `promtool check metrics (${promtool} from Debian's prometheus package):\n${lint.error ?? ''}${lint.stdout}${lint.stderr}`);
    assert.equal(loadsChdb(child.pid!), false, 'chDB is not mapped into the process');
    // Reported, not asserted (README states it): resident memory once idle.
    await new Promise((ok) => setTimeout(ok, 2_000));
    const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
    t.diagnostic(`${entry}: idle RSS ${(Number(rss) / 1024).toFixed(1)} MiB`);
  });
}

test("the Grafana dashboard's queries use only names the components export", { skip: !onLinux && 'reads /proc' }, () => {
  assert.equal(scraped.size, ENTRIES.length, 'every component was scraped above');
  const exported = new Set<string>();
  for (const text of scraped.values()) {
    for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
      exported.add(name!);
      if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) exported.add(name + suffix);
    }
  }
  const dashboard = JSON.parse(readFileSync(join(ROOT, 'observability/grafana-dashboard.json'), 'utf8'));
  const exprs: string[] = dashboard.panels.flatMap((p: { targets?: { expr: string }[] }) => (p.targets ?? []).map((t) => t.expr));
  assert.ok(exprs.length > 5);
  const unknown = exprs.flatMap((e) => [...e.matchAll(/\b(activity_reindex_[a-z0-9_]+|process_[a-z0-9_]+)\b/g)].map((m) => m[1]!)).filter((n) => !exported.has(n));
  assert.deepEqual(unknown, []);
});

test('the same check sees chDB in a process that uses the embedded engine', { skip: !onLinux && 'reads /proc' }, async () => {
  // The control: the compiled client factory without a URL opens chDB on its
  // first query. Symlinks resolved this time: chDB's native engine is an
  // optional package the image leaves out, so it comes from the full tree.
  const script = join(dir, 'embedded.mjs');
  writeFileSync(
    script,
    `import { createClickHouseClient } from './dist/shared/clickhouse/create-clickhouse-client.js';
const client = createClickHouseClient({ dataDir: ${JSON.stringify(join(dir, 'chdb'))} });
const before = /chdb/i.test((await import('node:fs')).readFileSync('/proc/self/maps', 'utf8'));
await client.query({ query: 'SELECT 1' });
const afterQuery = /chdb/i.test((await import('node:fs')).readFileSync('/proc/self/maps', 'utf8'));
await client.close();
console.log(JSON.stringify({ before, afterQuery }));
`,
  );
  const { stdout } = await run(process.execPath, [script], { cwd: dir });
  assert.deepEqual(JSON.parse(stdout.trim().split('\n').at(-1)!), { before: false, afterQuery: true });
});
