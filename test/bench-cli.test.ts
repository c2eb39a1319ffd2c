// `reindex bench` end to end as a user runs it: seeds its own embedded
// ClickHouse and nats-server, times both paths in child processes, and
// prints the result. Rates depend on the machine, so only their shape and
// sign are checked, never a speed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

test('bench --json prints the measured rates (window function, local flow, dry run, publish-only), the ratio and the peak RSS as one object on the last line', async () => {
  const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
    execFile(
      process.execPath,
      [join(root, 'bin/reindex.js'), 'bench', '--events', '2000', '--rounds', '1', '--json'],
      { cwd: root, timeout: 240_000 },
      (err, out, errOut) => (err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve({ stdout: out, stderr: errOut })),
    );
  });
  const last = stdout.trim().split('\n').pop()!;
  const result = JSON.parse(last) as Record<string, number>;
  const keys = [
    'activitiesPerSec',
    'activityShare',
    'dryRunEventsPerSec',
    'endToEndEventsPerSec',
    'events',
    'fullEventsPerSec',
    'ioOnlyEventsPerSec',
    'peakRssMb',
    'publishOnlyLimitEventsPerSec',
    'publishOnlyMessagesPerSec',
    'ratio',
  ];
  assert.deepEqual(Object.keys(result).sort(), keys);
  assert.equal(result.events, 2000);
  for (const key of keys) assert.ok(Number.isFinite(result[key]) && result[key]! > 0, `${key} = ${result[key]}`);
  // The demo policies turn most rows into activities, never more than one each.
  assert.ok(result.activitiesPerSec < result.fullEventsPerSec);
  assert.ok(result.activityShare! > 0.5 && result.activityShare! < 1);
  // The limit is the publish-only rate scaled up by the share of events that publish.
  assert.ok(Math.abs(result.publishOnlyLimitEventsPerSec! * result.activityShare! - result.publishOnlyMessagesPerSec!) <= result.publishOnlyMessagesPerSec! * 0.01);
  assert.match(stderr, /Round 1\/1: full path/);
  // The local flow ran the same job to the end, and its dry run published nothing (run-bench checks both).
  assert.match(stderr, /Round 1\/1: local flow \d/);
  assert.match(stderr, /Round 1\/1: local flow \(dry run\)/);
});

test('bench rejects a non-numeric --events with a usage error', async () => {
  const code = await new Promise<number>((resolve) => {
    execFile(process.execPath, [join(root, 'bin/reindex.js'), 'bench', '--events', 'many'], { cwd: root }, (err) =>
      resolve(err ? ((err as { code?: number }).code ?? 1) : 0),
    );
  });
  assert.equal(code, 2);
});
