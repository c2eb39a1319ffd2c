import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { peakRssMb, spawnTs } from './child-process.js';

export interface WindowFunctionProcess {
  url: string;
  pid: number;
  /** The key it takes windows signed with (random per process). */
  signingKey: string;
  /** The process's peak RSS so far, MiB. */
  peakRssMb(): number;
  /** SIGTERM (the function drains and exits, writing a CPU profile if asked), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export interface WindowFunctionProcessOptions {
  dataDir: string;
  natsUrl: string;
  stream: string;
  maxInFlight: number;
  ackTimeoutMs: number;
  nodeFlags?: string[];
}

const MAIN = new URL('../functions/window/main.ts', import.meta.url);
const START_TIMEOUT_MS = 60_000;

/**
 * The window function as deployed: its own process, started by its `main`
 * from environment variables, on a free port of 127.0.0.1. Ready once it
 * logged its URL (it has checked the stream by then).
 */
export async function startWindowFunctionProcess(opts: WindowFunctionProcessOptions): Promise<WindowFunctionProcess> {
  const signingKey = randomBytes(32).toString('base64url');
  const proc = spawnTs(MAIN, [], {
    nodeFlags: opts.nodeFlags,
    env: {
      PORT: '0',
      METRICS_PORT: '0',
      HOST: '127.0.0.1',
      REINDEX_DATA_DIR: opts.dataDir,
      NATS_URL: opts.natsUrl,
      REINDEX_STREAM: opts.stream,
      MAX_IN_FLIGHT: String(opts.maxInFlight),
      PUBLISH_ACK_TIMEOUT_MS: String(opts.ackTimeoutMs),
      SHUTDOWN_GRACE_MS: '1000',
      LOG_LEVEL: 'info',
      REINDEX_SIGNING_KEY: signingKey,
      // The bench owns an embedded engine; a server URL from the shell must not redirect it.
      CLICKHOUSE_URL: undefined,
    },
  });
  const url = await waitForUrl(proc);
  const pid = proc.pid!;
  return {
    url,
    pid,
    signingKey,
    peakRssMb: () => peakRssMb(pid),
    async stop(graceMs = 30_000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((ok) => proc.once('exit', () => ok()));
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

// pino writes JSON lines to stderr; the start line carries the URL.
function waitForUrl(proc: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => fail(new Error(`the window function did not start within ${START_TIMEOUT_MS} ms:\n${log}`)), START_TIMEOUT_MS);
    const onData = (chunk: string) => {
      log = (log + chunk).slice(-16_000);
      for (const line of log.split('\n')) {
        if (!line.includes('Started window function')) continue;
        const url = (JSON.parse(line) as { url?: string }).url;
        if (!url) continue;
        cleanup();
        // Keep draining stderr so the function never blocks on a full pipe.
        proc.stderr!.on('data', () => undefined);
        resolve(url);
        return;
      }
    };
    const onExit = (code: number | null) => fail(new Error(`the window function exited with ${code} before it was ready:\n${log}`));
    function cleanup() {
      clearTimeout(timer);
      proc.stderr!.off('data', onData);
      proc.off('exit', onExit);
    }
    function fail(err: Error) {
      cleanup();
      proc.kill('SIGKILL');
      reject(err);
    }
    proc.stdout!.resume();
    proc.stderr!.setEncoding('utf8').on('data', onData);
    proc.once('exit', onExit);
  });
}
