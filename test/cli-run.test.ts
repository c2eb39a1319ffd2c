// `reindex run` and `reindex demo` as an operator and a newcomer type them:
// the real CLI in its own process (bin/reindex.js), on an embedded
// ClickHouse data directory of its own, with the nats-server it starts
// itself. Each process opens the data directory in turn, never two at once
// (chDB binds one directory to one process).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connectNats } from '../shared/nats/connect-nats.js';
import { DEFAULT_STREAM } from '../shared/nats/stream-config.js';
import { startNatsServer } from '../local/nats-server.js';

const ROOT = new URL('..', import.meta.url).pathname;
const JOBS = join(ROOT, 'test/fixtures/jobs');
const POLICIES = join(ROOT, 'test/fixtures/policies');
const SEEDED_EVENTS = 3000;
const REPORT_KEYS = ['activitiesGenerated', 'activitiesInClickHouse', 'durationMs', 'errors', 'job', 'message', 'phase', 'processedEvents', 'totalEvents', 'windows'];

let dir: string;
let dataDir: string;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command with a clean environment: no ClickHouse server, NATS or data dir inherited from the shell. */
function exec(command: string, args: string[], extraEnv: Record<string, string> = {}): Promise<Result> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv };
  for (const name of ['CLICKHOUSE_URL', 'NATS_URL', 'REINDEX_DATA_DIR', 'NATS_SERVER_BIN']) if (!(name in extraEnv)) delete env[name];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const reindex = (...args: string[]) => exec(process.execPath, [join(ROOT, 'bin/reindex.js'), ...args]);

function lastJsonLine(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
}

function assertOneLineError(r: Result, pattern: RegExp): void {
  assert.equal(r.code, 2, `exit 2 on bad usage; stderr: ${r.stderr}`);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'reindex-cli-run-'));
  dataDir = join(dir, 'data');
  const seeded = await reindex('--data-dir', dataDir, 'demo-data', '--events', String(SEEDED_EVENTS), '--days', '1');
  assert.equal(seeded.code, 0, seeded.stderr);
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('reindex run --json runs the job to Succeeded and prints one JSON report with every activity in ClickHouse', async () => {
  const r = await reindex('--data-dir', dataDir, 'run', '-f', join(JOBS, 'last-two-days.yaml'), '--policies', POLICIES, '--json');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trimEnd().split('\n').length, 1, 'with --json, stdout is the report alone (progress goes to stderr)');
  const report = lastJsonLine(r.stdout);
  assert.deepEqual(Object.keys(report).sort(), REPORT_KEYS);
  assert.equal(report.job, 'cli-last-two-days');
  assert.equal(report.phase, 'Succeeded');
  assert.equal(report.totalEvents, SEEDED_EVENTS);
  assert.equal(report.processedEvents, SEEDED_EVENTS);
  assert.ok((report.activitiesGenerated as number) > 0, 'the fixture policies match some demo rows');
  assert.equal(report.activitiesInClickHouse, report.activitiesGenerated);
  const windows = report.windows as { total: number; completed: number; failed: number };
  assert.ok(windows.total > 0);
  assert.equal(windows.completed, windows.total);
  assert.equal(windows.failed, 0);
  assert.ok((report.durationMs as number) > 0);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
});

test('reindex run --nats-url --setup creates the stream there and publishes through it: one message per activity', async (t) => {
  const nats = await startNatsServer({ storeDir: join(dir, 'nats') });
  t.after(() => nats.destroy());
  // A configured server is only set up when asked by name (test/configured-servers.test.ts: without --setup).
  const r = await reindex('--data-dir', dataDir, '--nats-url', nats.url, 'run', '-f', join(JOBS, 'last-two-days.yaml'), '--policies', POLICIES, '--json', '--setup');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`JetStream at ${nats.url}`));
  assert.doesNotMatch(r.stderr, /nats-server started for this run/);
  const report = lastJsonLine(r.stdout);
  assert.equal(report.phase, 'Succeeded');
  assert.equal(report.activitiesInClickHouse, report.activitiesGenerated);
  const nc = await connectNats(nats.url);
  try {
    const { state } = await (await jetstreamManager(nc)).streams.info(DEFAULT_STREAM);
    assert.equal(state.messages, report.activitiesGenerated);
  } finally {
    await nc.close();
  }
});

test('a job naming a policy that does not exist ends Failed: exit 1 and the message names the policy', async () => {
  const r = await reindex('--data-dir', dataDir, 'run', '-f', join(JOBS, 'unknown-policy.yaml'), '--policies', POLICIES, '--json');
  assert.equal(r.code, 1, r.stderr);
  const report = lastJsonLine(r.stdout);
  assert.equal(report.phase, 'Failed');
  assert.match(report.message as string, /no-such-policy/);
  assert.equal(report.processedEvents, 0);
  assert.equal(report.activitiesInClickHouse, 0);
});

test('a job whose start is after its end ends Failed: exit 1 and the message names the time range', async () => {
  const r = await reindex('--data-dir', dataDir, 'run', '-f', join(JOBS, 'start-after-end.yaml'), '--policies', POLICIES);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /ReindexJob cli-start-after-end: Failed/);
  assert.match(r.stdout, /timeRange/);
});

test('a job the API server rejects (batchSize below the CRD minimum) exits 1 with one line naming the field, not the client dump', async () => {
  const r = await reindex('--data-dir', dataDir, 'run', '-f', join(JOBS, 'batch-size-too-small.yaml'), '--policies', POLICIES, '--json');
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stdout, '');
  const named = r.stderr.split('\n').filter((line) => /batchSize/.test(line));
  assert.equal(named.length, 1, `one stderr line names batchSize, got:\n${r.stderr}`);
  assert.match(named[0]!, /^reindex: ReindexJob cli-batch-size-too-small is invalid: spec\.config\.batchSize: /);
  assert.doesNotMatch(r.stderr, /HTTP-Code|Headers:|\n\s+at /, 'no client-node dump, no stack trace');
});

test('an unreachable --nats-url fails the run: exit 1, one line on stderr naming the server', async () => {
  const r = await reindex('--data-dir', dataDir, '--nats-url', 'nats://127.0.0.1:1', 'run', '-f', join(JOBS, 'last-two-days.yaml'), '--policies', POLICIES, '--json');
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0]!, /^reindex: NATS at nats:\/\/127\.0\.0\.1:1: /);
});

test('bad usage exits 2 with one line on stderr and no stack trace', async () => {
  // None of these gets as far as opening ClickHouse, so they may run at once.
  const [missingFile, unknownFlag, notAJob, noSuchFile] = await Promise.all([
    reindex('--data-dir', dataDir, 'run', '--policies', POLICIES, '--json'),
    reindex('--data-dir', dataDir, 'run', '-f', join(JOBS, 'last-two-days.yaml'), '--policies', POLICIES, '--no-such-flag'),
    reindex('--data-dir', dataDir, 'run', '-f', join(JOBS, 'not-a-reindexjob.yaml'), '--policies', POLICIES),
    reindex('--data-dir', dataDir, 'run', '-f', join(dir, 'missing.yaml'), '--policies', POLICIES),
  ]);
  assertOneLineError(missingFile, /required option '-f, --file/);
  assertOneLineError(unknownFlag, /unknown option '--no-such-flag'/);
  assertOneLineError(notAJob, /expected kind ReindexJob, got "ActivityPolicy"/);
  assertOneLineError(noSuchFile, /missing\.yaml: ENOENT/);
});

test('npm start (reindex demo) with --json works on a fresh data directory', async () => {
  // Exactly what the README says to type, with the data directory moved out of the working tree.
  const r = await exec('npm', ['--prefix', ROOT, 'start', '--', '--events', '1000', '--json'], { REINDEX_DATA_DIR: join(dir, 'fresh') });
  assert.equal(r.code, 0, r.stderr);
  const report = lastJsonLine(r.stdout);
  assert.deepEqual(Object.keys(report).sort(), REPORT_KEYS);
  assert.equal(report.phase, 'Succeeded');
  assert.equal(report.totalEvents, 1000);
  assert.equal(report.processedEvents, 1000);
  assert.ok((report.activitiesGenerated as number) > 0);
  assert.equal(report.activitiesInClickHouse, report.activitiesGenerated);
});
