import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { WindowSpec } from '../shared/contracts/window-requested.js';
import { demoPolicies } from '../shared/demo/demo-policies.js';
import { connectNats } from '../shared/nats/connect-nats.js';
import { ensureStream } from '../shared/nats/ensure-stream.js';
import { DEFAULT_STREAM } from '../shared/nats/stream-config.js';
import { DEFAULT_SUBJECT_PREFIX } from '../shared/nats/activity-subject.js';
import { startNatsServer } from '../local/nats-server.js';
import { benchWindows } from './bench-windows.js';
import type { BenchResult } from './bench-result.js';
import { runJsonChild } from './child-process.js';
import type { IoOnlyParams } from './io-only-child.js';
import type { SeededData } from './seed-bench-data.js';
import { startWindowFunctionProcess } from './window-function-process.js';

export interface BenchOptions {
  events: number;
  batchSize?: number;
  /** Pages per window: windows hold about batchSize × this many events. */
  pagesPerWindow?: number;
  parallelism?: number;
  /** The window function's publisher limit (its MAX_IN_FLIGHT); the I/O-only path uses the same. */
  maxInFlight?: number;
  /** Write a CPU profile of the window function process here (node --cpu-prof). */
  cpuProfDir?: string;
  /** Progress lines for a human (stderr). */
  onStep?: (message: string) => void;
}

const ACK_TIMEOUT_MS = 10_000;

/**
 * One benchmark run on one data set: seeds a fresh embedded ClickHouse and
 * a fresh nats-server, then times the I/O-only path and the full path over
 * the same planned windows. Each engine owner is its own child process, one
 * after the other, because chDB binds a data directory to one process; this
 * process only orchestrates and plays the controller.
 */
export async function runBench(opts: BenchOptions): Promise<BenchResult> {
  const batchSize = opts.batchSize ?? 1_000;
  const parallelism = opts.parallelism ?? 4;
  const maxInFlight = opts.maxInFlight ?? 256;
  const targetEvents = batchSize * (opts.pagesPerWindow ?? 10);
  const step = opts.onStep ?? (() => undefined);
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
    const windows: WindowSpec[] = seeded.windows;
    step(
      `Seeded ${seeded.auditLogs} audit logs and ${seeded.k8sEvents} Events in ${(seeded.loadMs / 1000).toFixed(1)}s; ` +
        `${windows.length} windows, activities of ~${seeded.activityBytes} bytes`,
    );

    await freshStream(jsm);
    step('Timing the I/O-only path');
    const io = await runJsonChild<{ events: number; messages: number; elapsedMs: number }>(new URL('./io-only-child.ts', import.meta.url), {
      dataDir,
      natsUrl: nats.url,
      windows,
      batchSize,
      parallelism,
      maxInFlight,
      ackTimeoutMs: ACK_TIMEOUT_MS,
      activityBytes: seeded.activityBytes,
      subjectPrefix: DEFAULT_SUBJECT_PREFIX,
    } satisfies IoOnlyParams);
    if (io.messages !== io.events) throw new Error(`the I/O-only path published ${io.messages} of ${io.events} messages`);

    // A fresh stream: neither de-duplication nor a fuller store favours one path.
    await freshStream(jsm);
    step('Timing the full path (window function over HTTP + CloudEvents)');
    const fn = await startWindowFunctionProcess({
      dataDir,
      natsUrl: nats.url,
      stream: DEFAULT_STREAM,
      maxInFlight,
      ackTimeoutMs: ACK_TIMEOUT_MS,
      nodeFlags: opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : undefined,
    });
    let full;
    let peakRssMb: number;
    try {
      const started = performance.now();
      const totals = await benchWindows(
        fn.url,
        { name: 'bench', uid: `bench-${Date.now()}`, batchSize, policies: demoPolicies, rateLimit: 1_000_000 },
        windows,
        parallelism,
      );
      full = { ...totals, elapsedMs: performance.now() - started };
      peakRssMb = fn.peakRssMb();
    } finally {
      await fn.stop();
    }
    const stored = (await jsm.streams.info(DEFAULT_STREAM)).state.messages;
    if (stored !== full.activitiesGenerated) {
      throw new Error(`the full path reported ${full.activitiesGenerated} activities but the stream holds ${stored}`);
    }
    if (full.processedEvents !== io.events) {
      throw new Error(`the paths saw different rows: I/O-only ${io.events}, full ${full.processedEvents}`);
    }

    const ioOnlyEventsPerSec = io.events / (io.elapsedMs / 1000);
    const fullEventsPerSec = full.processedEvents / (full.elapsedMs / 1000);
    return {
      events: io.events,
      ioOnlyEventsPerSec,
      fullEventsPerSec,
      ratio: fullEventsPerSec / ioOnlyEventsPerSec,
      activitiesPerSec: full.activitiesGenerated / (full.elapsedMs / 1000),
      peakRssMb,
      details: {
        windows: windows.length,
        targetEvents,
        batchSize,
        parallelism,
        activityBytes: seeded.activityBytes,
        activities: full.activitiesGenerated,
        errors: full.errors,
        loadSeconds: seeded.loadMs / 1000,
        ioOnlySeconds: io.elapsedMs / 1000,
        fullSeconds: full.elapsedMs / 1000,
      },
    };
  } finally {
    await nc.drain().catch(() => undefined);
    await nats.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function freshStream(jsm: JetStreamManager): Promise<void> {
  await jsm.streams.delete(DEFAULT_STREAM).catch(() => undefined);
  await ensureStream(jsm);
}
