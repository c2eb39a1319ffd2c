// The `kubectl activity` plugin as kubectl runs it: an executable named
// kubectl-activity on PATH, against `reindex up` (test/helpers/reindex-up.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ok, useReindexUp } from './helpers/reindex-up.js';

const handle = useReindexUp();
const up = () => handle.current!;

test('kubectl activity reindex --wait, run by kubectl from PATH, completes a job and exits 0', async () => {
  const r = await up().kubectl('activity', 'reindex', '--start-time', 'now-3d', '--rate', '100000', '--name', 'p1', '--wait');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /reindexjob\.activity\.miloapis\.com\/p1 Succeeded: Processed \d+ events/);
  assert.match(r.stderr, /Succeeded \[/, 'the progress bar drew the final state');
  assert.equal(await ok(up().kubectl('get', 'rij', 'p1', '-o', 'jsonpath={.status.phase}')), 'Succeeded');
});

test('kubectl activity reindex --wait exits 1 with the message on a failing job, and 2 on bad usage', async () => {
  const failed = await up().kubectl('activity', 'reindex', '--start-time', 'now-3d', '--policy', 'no-such-policy', '--wait');
  assert.equal(failed.code, 1);
  assert.match(failed.stderr, /kubectl-activity: ReindexJob reindex-\S+ Failed: .*"no-such-policy"/);
  const usage = await up().kubectl('activity', 'reindex', '--policy', 'a', '--selector', 'b=c', '--start-time', 'now-1h');
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /--policy and --selector are mutually exclusive/);
});

test('reindex up exits 0 after a clean shutdown on SIGTERM', async () => {
  assert.equal(await up().stop(), 0);
});
