// `reindex up` in its own process on a temp data dir, for tests that drive the
// REAL kubectl against it (one per test file, small data). Without kubectl
// the tests fail, not skip: kubectl is what they are about.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = new URL('../..', import.meta.url).pathname;

export interface Result { code: number | null; stdout: string; stderr: string }

export interface ReindexUp {
  dir: string;
  ready: { kubeconfig: string; server: string; statusPage: string };
  /** kubectl with the kubeconfig `reindex up` wrote, and the kubectl-activity plugin on PATH. */
  kubectl(...args: string[]): Promise<Result>;
  kubectlIn(input: string, ...args: string[]): Promise<Result>;
  /** SIGTERM, then the exit status. */
  stop(): Promise<number | null>;
}

/** Registers before/after hooks that start and stop one `reindex up`; read the handle inside tests. */
export function useReindexUp(events = 600): { current?: ReindexUp } {
  const handle: { current?: ReindexUp } = {};
  let dir: string;
  let up: ChildProcess;
  let upExit: Promise<number | null>;
  before(async () => {
    const probe = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) throw new Error(`kubectl is required for these tests and was not found on PATH (${probe.error?.message ?? probe.stderr})`);
    dir = mkdtempSync(join(tmpdir(), 'reindex-kubectl-'));
    // The plugin as \`npm install -g\` would put it: an executable named kubectl-activity on PATH.
    const binDir = join(dir, 'bin');
    mkdirSync(binDir);
    symlinkSync(join(ROOT, 'bin/kubectl-activity.js'), join(binDir, 'kubectl-activity'));
    const env: NodeJS.ProcessEnv = { ...process.env, REINDEX_FROM_SOURCE: '1', PATH: `${binDir}:${process.env.PATH}`, KUBECONFIG: join(dir, 'data', 'kubeconfig') };
    for (const name of ['CLICKHOUSE_URL', 'NATS_URL', 'REINDEX_DATA_DIR']) delete env[name];
    up = spawn(process.execPath, [join(ROOT, 'bin/reindex.js'), 'up', '--data-dir', join(dir, 'data'), '--events', String(events), '--json'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    up.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    upExit = new Promise((resolve) => up.once('exit', (code) => resolve(code)));
    const lines = createInterface({ input: up.stdout! });
    const first = await Promise.race([
      new Promise<string>((resolve) => lines.once('line', resolve)),
      upExit.then((code): string => { throw new Error(`reindex up exited ${code} before it was ready: ${stderr}`); }),
    ]);
    const run = (args: string[], input?: string) => new Promise<Result>((resolve, reject) => {
      const child = spawn('kubectl', args, { cwd: dir, env, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      child.once('error', reject);
      child.once('close', (code) => resolve({ code, stdout, stderr: err }));
      child.stdin.end(input ?? '');
    });
    handle.current = {
      dir,
      ready: JSON.parse(first),
      kubectl: (...args) => run(args),
      kubectlIn: (input, ...args) => run(args, input),
      async stop() {
        if (up.exitCode === null) up.kill('SIGTERM');
        return upExit;
      },
    };
  });
  after(async () => {
    if (up && up.exitCode === null) {
      up.kill('SIGTERM');
      await upExit;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return handle;
}

export async function ok(p: Promise<Result>): Promise<string> {
  const r = await p;
  assert.equal(r.code, 0, `exit 0 expected; stderr: ${r.stderr}`);
  return r.stdout;
}

export function manifest(name: string, spec: string): string {
  return `apiVersion: activity.miloapis.com/v1alpha1\nkind: ReindexJob\nmetadata:\n  name: ${name}\nspec:\n${spec}`;
}

/** A job over all the demo data, unthrottled. */
export const SPEC = '  timeRange:\n    startTime: now-3d\n  config:\n    rateLimit: 100000\n';
