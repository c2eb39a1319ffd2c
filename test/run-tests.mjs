#!/usr/bin/env node
// Runs every *.test.ts in the project with node's own test runner (through
// tsx), each file in its own process: chDB binds one data directory per
// process, so files never share an engine. REINDEX_FROM_SOURCE=1 makes
// bin/reindex.js, when a test starts it, run the TypeScript sources too,
// never a stale dist/ (see bin/entry.js).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const skip = new Set(['node_modules', '.git', '.reindex', 'dist', 'test-results']);

function find(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (skip.has(name) || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...find(path));
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out;
}

// `npm test -- shared/policy` narrows the run to files under the given paths.
const filters = process.argv.slice(2);
const files = find(root).filter((f) => filters.length === 0 || filters.some((p) => f.startsWith(p) || f.includes(p))).sort();
if (files.length === 0) {
  console.error('No test files matched.');
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=240000', ...files],
  { cwd: root, stdio: 'inherit', env: { ...process.env, REINDEX_FROM_SOURCE: '1' } },
);
process.exit(result.status ?? 1);
