import { randomBytes } from 'node:crypto';
import { startLoggedProcess } from './logged-process.js';

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

/**
 * The window function as deployed: its own process, started by its `main`
 * from environment variables, on a free port of 127.0.0.1.
 */
export async function startWindowFunctionProcess(opts: WindowFunctionProcessOptions): Promise<WindowFunctionProcess> {
  const signingKey = randomBytes(32).toString('base64url');
  const env = {
    PORT: '0',
    METRICS_PORT: '0',
    HOST: '127.0.0.1',
    REINDEX_DATA_DIR: opts.dataDir,
    NATS_URL: opts.natsUrl,
    REINDEX_STREAM: opts.stream,
    MAX_IN_FLIGHT: String(opts.maxInFlight),
    PUBLISH_ACK_TIMEOUT_MS: String(opts.ackTimeoutMs),
    SHUTDOWN_GRACE_MS: '1000',
    REINDEX_SIGNING_KEY: signingKey,
    // The bench owns an embedded engine; a server URL from the shell must not redirect it.
    CLICKHOUSE_URL: undefined,
  };
  // Ready once it logged its URL (it has checked the stream by then).
  const proc = await startLoggedProcess(MAIN, [], env, 'Started window function', opts.nodeFlags);
  if (!proc.url) {
    await proc.stop(0);
    throw new Error('the window function logged its start without a url');
  }
  return {
    url: proc.url,
    pid: proc.pid,
    signingKey,
    peakRssMb: proc.peakRssMb,
    // Longer grace than the default: on SIGTERM it drains and may write a CPU profile.
    stop: (graceMs = 30_000) => proc.stop(graceMs),
  };
}
