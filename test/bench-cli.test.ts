// `reindex bench` end to end as a user runs it: seeds its own embedded
// ClickHouse and nats-server, times both paths in child processes, and
// prints the result. Rates depend on the machine, so only their shape and
// sign are checked, never a speed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

test('bench --json prints the measured rates, their ratio and the peak RSS as one object on the last line', async () => {
  const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
    execFile(
      process.execPath,
      [join(root, 'bin/reindex.js'), 'bench', '--events', '2000', '--rounds', '1', '--json'],
      { cwd: root, timeout: 120_000 },
      (err, out, errOut) => (err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve({ stdout: out, stderr: errOut })),
    );
  });
  const last = stdout.trim().split('\n').pop()!;
  const result = JSON.parse(last) as Record<string, number>;
  assert.deepEqual(Object.keys(result).sort(), ['activitiesPerSec', 'events', 'fullEventsPerSec', 'ioOnlyEventsPerSec', 'peakRssMb', 'ratio']);
  assert.equal(result.events, 2000);
  for (const key of ['ioOnlyEventsPerSec', 'fullEventsPerSec', 'ratio', 'activitiesPerSec', 'peakRssMb']) {
    assert.ok(Number.isFinite(result[key]) && result[key] > 0, `${key} = ${result[key]}`);
  }
  // The demo policies turn most rows into activities, never more than one each.
  assert.ok(result.activitiesPerSec < result.fullEventsPerSec);
  assert.match(stderr, /Round 1\/1: full path/);
});

test('bench rejects a non-numeric --events with a usage error', async () => {
  const code = await new Promise<number>((resolve) => {
    execFile(process.execPath, [join(root, 'bin/reindex.js'), 'bench', '--events', 'many'], { cwd: root }, (err) =>
      resolve(err ? ((err as { code?: number }).code ?? 1) : 0),
    );
  });
  assert.equal(code, 2);
});
