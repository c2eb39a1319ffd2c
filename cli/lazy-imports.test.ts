// `reindex --help` must start at once (a kubectl plugin that answers in
// seconds feels broken): every command loads what it needs when it runs. These
// tests watch which modules the real CLI process resolves; the start time
// itself is measured with hyperfine (README), not here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_DUPLICATE_WINDOW_MS, DEFAULT_STREAM } from '../shared/nats/stream-config.js';

const ROOT = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'reindex-lazy-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

// A module-resolution hook that prints every URL the process resolves.
writeFileSync(
  join(dir, 'hooks.mjs'),
  "export async function resolve(s, c, next) { const r = await next(s, c); process.stderr.write(`RESOLVED ${r.url}\\n`); return r; }\n",
);
writeFileSync(join(dir, 'trace.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`);

function reindex(...args: string[]): Promise<{ code: number; stdout: string; resolved: string[] }> {
  return run('1', args);
}

/** The CLI as built (`npm run build`, which `npm ci` runs): dist/, never the sources. */
function compiledReindex(...args: string[]): Promise<{ code: number; stdout: string; resolved: string[] }> {
  return run('0', args);
}

function run(fromSource: '0' | '1', args: string[]): Promise<{ code: number; stdout: string; resolved: string[] }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', join(dir, 'trace.mjs'), join(ROOT, 'bin/reindex.js'), ...args],
      { cwd: ROOT, env: { ...process.env, REINDEX_FROM_SOURCE: fromSource } },
      (err, stdout, stderr) => {
        const resolved = stderr.split('\n').filter((l) => l.startsWith('RESOLVED ')).map((l) => l.slice(9));
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, resolved });
      },
    );
  });
}

// What a command needs when it runs, never at start.
const HEAVY = [
  /\/node_modules\/chdb\//,
  /\/node_modules\/@clickhouse\//,
  /\/node_modules\/@nats-io\//,
  /\/node_modules\/@kubernetes\//,
  /\/node_modules\/@marcbachmann\/cel-js\//,
  /\/node_modules\/yaml\//,
  /\/node_modules\/(hono|@hono|pino|prom-client|cloudevents)\//,
  new RegExp(`^file://${ROOT}(local|bench|controller|functions|status-page|migrations)/`),
  new RegExp(`^file://${ROOT}shared/(policy|demo)/`),
];

test('reindex --help loads none of what the commands need to run', async () => {
  const { code, stdout, resolved } = await reindex('--help');
  assert.equal(code, 0);
  assert.match(stdout, /Usage: reindex/);
  assert.ok(resolved.some((url) => url.endsWith('/cli/main.ts')), 'the hook saw the CLI load');
  assert.deepEqual(resolved.filter((url) => HEAVY.some((re) => re.test(url))), []);
});

test('the same hook sees what a command loads when it runs', async () => {
  // preview without --input fails as usage after loading nothing heavy; with
  // a policy and an input it loads the policy engine.
  const policy = join(dir, 'policy.yaml');
  const input = join(dir, 'input.json');
  writeFileSync(policy, 'apiVersion: activity.miloapis.com/v1alpha1\nkind: ActivityPolicy\nmetadata: {name: p}\nspec: {resource: {apiGroup: "", kind: Pod}}\n');
  writeFileSync(input, '{}');
  const { resolved } = await reindex('preview', '--policy', policy, '--input', input);
  assert.ok(resolved.some((url) => /\/node_modules\/@marcbachmann\/cel-js\//.test(url)), 'preview loads the CEL engine');
});

test('compiled, preview loads its engine as one bundled file (no zod, yaml or CEL modules) and prints what the sources print', async () => {
  // Every input of the shared vectors that says what it is, against the fixture policies.
  const vectors = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/activity-vectors.json'), 'utf8')) as { input: { apiVersion?: unknown } }[];
  const inputs = join(dir, 'vector-inputs.jsonl');
  writeFileSync(inputs, vectors.filter((v) => typeof v.input.apiVersion === 'string').map((v) => JSON.stringify(v.input)).join('\n'));
  const args = ['preview', '--policy', join(ROOT, 'test/fixtures/policies'), '--input', inputs];
  const [source, compiled] = await Promise.all([reindex(...args), compiledReindex(...args)]);
  assert.equal(compiled.code, 0, 'dist/ missing or stale? run npm run build');
  assert.ok(compiled.resolved.some((url) => url.endsWith('/dist/cli/commands/preview-run.js')), 'the compiled CLI ran');
  assert.deepEqual(compiled.resolved.filter((url) => /\/node_modules\/(zod|yaml|@marcbachmann)\//.test(url)), []);
  assert.ok(source.stdout.split('\n').length > 2);
  assert.equal(compiled.stdout, source.stdout);
});

test('nats-setup --help names the defaults stream-config.ts applies', async () => {
  const { code, stdout } = await reindex('nats-setup', '--help');
  assert.equal(code, 0);
  const help = stdout.replace(/\s+/g, ' ');
  assert.match(help, new RegExp(`default ${DEFAULT_STREAM}\\b`));
  assert.match(help, new RegExp(`default ${DEFAULT_DUPLICATE_WINDOW_MS / 60_000}m\\b`));
});
