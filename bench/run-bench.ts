import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connectNats } from '../shared/nats/connect-nats.js';
import { ensureStream } from '../shared/nats/ensure-stream.js';
import { DEFAULT_STREAM } from '../shared/nats/stream-config.js';
import { startNatsServer } from '../local/nats-server.js';
import type { BenchResult } from './bench-result.js';
import { runJsonChild } from './child-process.js';
import type { SeededData } from './seed-bench-data.js';
import { timeFullPath } from './time-full-path.js';
import { timeIoOnly, type PathRun } from './time-io-only.js';

export interface BenchOptions {
  events: number;
  batchSize?: number;
  /** Pages per window: windows hold about batchSize × this many events. */
  pagesPerWindow?: number;
  parallelism?: number;
  /** The window function's publisher limit (its MAX_IN_FLIGHT); the I/O-only path uses the same. */
  maxInFlight?: number;
  /** Each path runs this many times, alternating; the median run of each counts. */
  rounds?: number;
  /** Write CPU profiles of the I/O-only and the window function processes here (node --cpu-prof). */
  cpuProfDir?: string;
  /** Progress lines for a human (stderr). */
  onStep?: (message: string) => void;
}

const ACK_TIMEOUT_MS = 10_000;

/**
 * One benchmark run on one data set: seeds a fresh embedded ClickHouse and
 * a fresh nats-server, then times the I/O-only path and the full path over
 * the same planned windows, alternating for `rounds` rounds so a noisy
 * neighbour hurts both alike; each path's median round counts (a best-of
 * would favour whichever path varies more). Each engine
 * owner is its own child process, one after the other, because chDB binds a
 * data directory to one process; this process only orchestrates and plays
 * the controller.
 */
export async function runBench(opts: BenchOptions): Promise<BenchResult> {
  const batchSize = opts.batchSize ?? 1_000;
  const parallelism = opts.parallelism ?? 4;
  const maxInFlight = opts.maxInFlight ?? 256;
  const rounds = opts.rounds ?? 3;
  const targetEvents = batchSize * (opts.pagesPerWindow ?? 10);
  const step = opts.onStep ?? (() => undefined);
  // Both timed processes, so a profile can compare them (file names carry the pid).
  const nodeFlags = opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'reindex-bench-'));
  const dataDir = join(dir, 'chdb');
  const nats = await startNatsServer({ storeDir: join(dir, 'nats') });
  const nc = await connectNats(nats.url, { name: 'reindex-bench' });
  try {
    const jsm = await jetstreamManager(nc);
    step(`Seeding ${opts.events} demo events into ${dataDir}`);
    const seeded = await runJsonChild<SeededData & { activityBytes: number }>(new URL('./seed-child.ts', import.meta.url), {
      dataDir,
      events: opts.events,
      targetEvents,
    });
    const { windows } = seeded;
    step(
      `Seeded ${seeded.auditLogs} audit logs and ${seeded.k8sEvents} Events in ${(seeded.loadMs / 1000).toFixed(1)}s; ` +
        `${windows.length} windows, activities of ~${seeded.activityBytes} bytes`,
    );
    const common = { dataDir, natsUrl: nats.url, windows, batchSize, parallelism, maxInFlight, ackTimeoutMs: ACK_TIMEOUT_MS, nodeFlags };

    const ioRuns: PathRun[] = [];
    const fullRuns: Awaited<ReturnType<typeof timeFullPath>>[] = [];
    for (let round = 1; round <= rounds; round++) {
      // A fresh stream per run: neither de-duplication nor a fuller store favours one path.
      await freshStream(jsm);
      const io = await timeIoOnly({ ...common, activityBytes: seeded.activityBytes });
      ioRuns.push(io);
      step(`Round ${round}/${rounds}: I/O-only ${rate(io)} events/s`);

      await freshStream(jsm);
      const full = await timeFullPath({ ...common, stream: DEFAULT_STREAM, jobUid: `bench-${round}-${Date.now()}` });
      const stored = (await jsm.streams.info(DEFAULT_STREAM)).state.messages;
      if (stored !== full.activities) throw new Error(`the full path reported ${full.activities} activities but the stream holds ${stored}`);
      if (full.events !== io.events) throw new Error(`the paths saw different rows: I/O-only ${io.events}, full ${full.events}`);
      fullRuns.push(full);
      step(`Round ${round}/${rounds}: full path ${rate(full)} events/s, peak RSS ${full.peakRssMb.toFixed(1)} MiB`);
    }

    const io = median(ioRuns);
    const full = median(fullRuns);
    return {
      events: io.events,
      ioOnlyEventsPerSec: io.events / (io.elapsedMs / 1000),
      fullEventsPerSec: full.events / (full.elapsedMs / 1000),
      ratio: io.elapsedMs / full.elapsedMs,
      activitiesPerSec: full.activities / (full.elapsedMs / 1000),
      peakRssMb: Math.max(...fullRuns.map((r) => r.peakRssMb)),
      details: {
        windows: windows.length,
        targetEvents,
        batchSize,
        parallelism,
        rounds,
        activityBytes: seeded.activityBytes,
        activities: full.activities,
        errors: full.errors,
        loadSeconds: seeded.loadMs / 1000,
        ioOnlySeconds: io.elapsedMs / 1000,
        fullSeconds: full.elapsedMs / 1000,
        ioOnlyPeakRssMb: Math.max(...ioRuns.map((r) => r.peakRssMb)),
      },
    };
  } finally {
    await nc.drain().catch(() => undefined);
    await nats.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

function rate(run: PathRun): string {
  return Math.round(run.events / (run.elapsedMs / 1000)).toLocaleString('en-US');
}

// The middle run by time; of an even count, the faster of the middle two.
function median<T extends PathRun>(runs: T[]): T {
  return [...runs].sort((a, b) => a.elapsedMs - b.elapsedMs)[Math.floor((runs.length - 1) / 2)]!;
}

async function freshStream(jsm: JetStreamManager): Promise<void> {
  await jsm.streams.delete(DEFAULT_STREAM).catch(() => undefined);
  await ensureStream(jsm);
}
