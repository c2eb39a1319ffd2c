// The entry point as a container runs it: configured by environment
// variables, in its own process (so it owns its chDB directory), and
// stopped by SIGTERM while a window is in progress.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { jetstreamManager } from '@nats-io/jetstream';
import { WindowCompleted } from '../shared/contracts/window-completed.js';
import { connectNats } from '../shared/nats/connect-nats.js';
import { ensureStream } from '../shared/nats/ensure-stream.js';
import { startNatsServer } from '../local/nats-server.js';
import { cloudEventPost, requestedEvent, TEST_SIGNING_KEY, windowRequest } from './window-function-fixtures.js';

const run = promisify(execFile);
const ROOT = new URL('..', import.meta.url).pathname;

// Loads demo rows in a separate, short-lived process: this test process
// never opens the chDB directory the function will own.
const LOAD = `
import { createClickHouseClient } from './shared/clickhouse/create-clickhouse-client.ts';
import { runMigrations } from './migrations/run-migrations.ts';
import { loadDemoData } from './shared/demo/load-demo-data.ts';
import { DEFAULT_TABLES } from './shared/clickhouse/source-tables.ts';
const client = createClickHouseClient({ dataDir: process.env.REINDEX_DATA_DIR });
await runMigrations(client);
await loadDemoData(client, DEFAULT_TABLES, { events: 1000, days: 1, now: new Date('2025-03-01T00:00:00Z'), seed: 3 });
await client.close();
`;

test('starts from the environment and, on SIGTERM, finishes the window in progress before exiting', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'reindex-window-main-'));
  const nats = await startNatsServer();
  const nc = await connectNats(nats.url);
  t.after(async () => {
    await nc.close();
    await nats.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  await ensureStream(await jetstreamManager(nc));
  const env = { ...process.env, REINDEX_DATA_DIR: join(dir, 'chdb'), NATS_URL: nats.url, PORT: '0', METRICS_PORT: '0', LOG_LEVEL: 'info', REINDEX_SIGNING_KEY: TEST_SIGNING_KEY };
  await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', LOAD], { cwd: ROOT, env });

  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'functions/window/main.ts')], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let log = '';
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`window function did not start:\n${log}`)), 30_000);
    child.stderr.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const started = /"url":"([^"]+)".*Started window function/.exec(log);
      if (started) {
        clearTimeout(timer);
        ok(started[1]);
      }
    });
  });
  // Ready once ClickHouse answers: the embedded engine opens on the first
  // probe, which may take longer than one probe's timeout on a busy machine,
  // so probe again as Knative does.
  let ready = 0;
  for (let i = 0; i < 30 && ready !== 200; i++) {
    if (i > 0) await new Promise((ok) => setTimeout(ok, 1_000));
    ready = (await fetch(`${url}/readyz`)).status;
  }
  assert.equal(ready, 200);

  // ~700 audit rows paced at 500/s with 100-row pages: about a second of work.
  const data = windowRequest({ window: { from: '2025-02-27T00:00:00.000Z', to: '2100-01-01T00:00:00.000Z' }, rateLimit: 500, batchSize: 100 });
  const pending = fetch(`${url}/`, cloudEventPost(requestedEvent(data)));
  await new Promise((ok) => setTimeout(ok, 300));
  child.kill('SIGTERM');
  const res = await pending;
  assert.equal(res.status, 200);
  const reply = WindowCompleted.parse(await res.json());
  assert.ok(reply.processedEvents > 500, `the whole window was processed (${reply.processedEvents})`);
  assert.ok(reply.durationMs > 500, 'the window was still running when SIGTERM came');
  assert.equal(await exited, 0);
  assert.match(log, /Stopped window function/);
  await assert.rejects(fetch(`${url}/healthz`));
});
