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
import type { EndToEndParams } from './end-to-end-child.js';
import type { PublishOnlyParams } from './publish-only-child.js';
import { timeFullPath } from './time-full-path.js';
import { timeIoOnly, type PathRun } from './time-io-only.js';
import { DEFAULT_SUBJECT_PREFIX } from '../shared/nats/activity-subject.js';
import { DEFAULT_WINDOW_BATCHES } from '../controller/window-target.js';

export interface BenchOptions {
  events: number;
  batchSize?: number;
  parallelism?: number;
  /** The window function's publisher limit (its MAX_IN_FLIGHT); the I/O-only path uses the same. */
  maxInFlight?: number;
  /** Each path runs this many times, alternating; the median run of each counts. */
  rounds?: number;
  /** Write CPU profiles of the I/O-only and the window function processes here (node --cpu-prof). */
  cpuProfDir?: string;
  /**
   * Pads audit logs to about this many bytes: with `batchSize` from 100 to
   * 10,000 it shows whether the window function's memory follows page rows
   * or stays flat.
   */
  auditEventBytes?: number;
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
  // Windows as the controller plans them when the rate does not bound them.
  const targetEvents = batchSize * DEFAULT_WINDOW_BATCHES;
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
      auditEventBytes: opts.auditEventBytes,
    });
    const { windows } = seeded;
    step(
      `Seeded ${seeded.auditLogs} audit logs and ${seeded.k8sEvents} Events in ${(seeded.loadMs / 1000).toFixed(1)}s; ` +
        `${windows.length} windows, activities of ~${seeded.activityBytes} bytes`,
    );
    const common = { dataDir, natsUrl: nats.url, windows, batchSize, parallelism, maxInFlight, ackTimeoutMs: ACK_TIMEOUT_MS, nodeFlags };

    const ioRuns: PathRun[] = [];
    const fullRuns: Awaited<ReturnType<typeof timeFullPath>>[] = [];
    const endToEndRuns: EndToEndRun[] = [];
    const dryRuns: EndToEndRun[] = [];
    const publishRuns: PathRun[] = [];
    const span = {
      from: windows.map((w) => w.from).reduce((a, b) => (a < b ? a : b)),
      to: windows.map((w) => w.to).reduce((a, b) => (a > b ? a : b)),
    };
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

      for (const dryRun of [false, true]) {
        await freshStream(jsm);
        const e2e = await timeEndToEnd({ dataDir, natsUrl: nats.url, ...span, batchSize, parallelism, dryRun, jobName: `bench-${dryRun ? 'dry' : 'run'}-${round}` }, nodeFlags);
        const published = (await jsm.streams.info(DEFAULT_STREAM)).state.messages;
        if (e2e.events !== full.events || e2e.activities !== full.activities) {
          throw new Error(`the local flow${dryRun ? ' (dry run)' : ''} saw ${e2e.events} events and ${e2e.activities} activities; the full path ${full.events} and ${full.activities}`);
        }
        if (published !== (dryRun ? 0 : full.activities)) throw new Error(`the local flow${dryRun ? ' (dry run)' : ''} left ${published} messages on the stream`);
        (dryRun ? dryRuns : endToEndRuns).push(e2e);
        step(
          `Round ${round}/${rounds}: local flow${dryRun ? ' (dry run)' : ''} ${rate(e2e)} events/s ` +
            `(start ${e2e.phasesMs.start} ms, run ${e2e.phasesMs.run} ms, drain ${e2e.phasesMs.drain} ms; job ${e2e.jobSeconds?.toFixed(1)}s)`,
        );
      }

      await freshStream(jsm);
      const publish = await timePublishOnly({
        natsUrl: nats.url,
        messages: full.activities,
        parallelism,
        maxInFlight,
        ackTimeoutMs: ACK_TIMEOUT_MS,
        activityBytes: seeded.activityBytes,
        subjectPrefix: DEFAULT_SUBJECT_PREFIX,
      }, nodeFlags);
      publishRuns.push(publish);
      step(`Round ${round}/${rounds}: publish-only ${rate(publish)} messages/s`);
    }

    const io = median(ioRuns);
    const full = median(fullRuns);
    const endToEnd = median(endToEndRuns);
    const dry = median(dryRuns);
    const publish = median(publishRuns);
    const activityShare = full.activities / full.events;
    const publishOnlyMessagesPerSec = publish.events / (publish.elapsedMs / 1000);
    return {
      events: io.events,
      ioOnlyEventsPerSec: io.events / (io.elapsedMs / 1000),
      fullEventsPerSec: full.events / (full.elapsedMs / 1000),
      ratio: io.elapsedMs / full.elapsedMs,
      activitiesPerSec: full.activities / (full.elapsedMs / 1000),
      peakRssMb: Math.max(...fullRuns.map((r) => r.peakRssMb)),
      endToEndEventsPerSec: endToEnd.events / (endToEnd.elapsedMs / 1000),
      dryRunEventsPerSec: dry.events / (dry.elapsedMs / 1000),
      publishOnlyMessagesPerSec,
      publishOnlyLimitEventsPerSec: publishOnlyMessagesPerSec / activityShare,
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
        activityShare,
        endToEndSeconds: endToEnd.elapsedMs / 1000,
        endToEndJobSeconds: endToEnd.jobSeconds,
        dryRunSeconds: dry.elapsedMs / 1000,
        publishOnlySeconds: publish.elapsedMs / 1000,
        endToEndPeakRssMb: Math.max(...endToEndRuns.map((r) => r.peakRssMb)),
      },
    };
  } finally {
    await nc.drain().catch(() => undefined);
    await nats.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface EndToEndRun extends PathRun {
  activities: number;
  /** Apply → Running, Running → finished, finished → every activity stored. */
  phasesMs: { start: number; run: number; drain: number };
  /** The job's own startedAt → completedAt (whole seconds). */
  jobSeconds?: number;
}

/** One timed run of the local flow (`reindex run`) in its own process (it owns the engine until it exits). */
async function timeEndToEnd(params: EndToEndParams, nodeFlags?: string[]): Promise<EndToEndRun> {
  const r = await runJsonChild<{
    events: number;
    activities: number;
    phase?: string;
    message?: string;
    elapsedMs: number;
    phasesMs: { start: number; run: number; drain: number };
    jobSeconds?: number;
    maxRssKb: number;
  }>(
    new URL('./end-to-end-child.ts', import.meta.url),
    params,
    { nodeFlags },
  );
  if (r.phase !== 'Succeeded') throw new Error(`the local flow's job ended ${r.phase}: ${r.message ?? ''}`);
  return { events: r.events, activities: r.activities, elapsedMs: r.elapsedMs, phasesMs: r.phasesMs, jobSeconds: r.jobSeconds, peakRssMb: r.maxRssKb / 1024 };
}

/** One timed run of publish-only; its `events` are the messages acknowledged. */
async function timePublishOnly(params: PublishOnlyParams, nodeFlags?: string[]): Promise<PathRun> {
  const r = await runJsonChild<{ messages: number; elapsedMs: number }>(new URL('./publish-only-child.ts', import.meta.url), params, { nodeFlags });
  if (r.messages !== params.messages) throw new Error(`publish-only had ${r.messages} of ${params.messages} messages acknowledged`);
  return { events: r.messages, elapsedMs: r.elapsedMs, peakRssMb: 0 };
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
