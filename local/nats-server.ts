import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface NatsServerOptions {
  /** Enable JetStream (default true). */
  jetstream?: boolean;
  /** JetStream store directory; a fresh temp dir when omitted. */
  storeDir?: string;
  /** Client port; a free one chosen by the server when omitted. */
  port?: number;
}

export interface NatsServerHandle {
  url: string;
  port: number;
  storeDir: string;
  /** Stops the server and keeps its store, so `restart()` brings the same streams back. */
  stop(): Promise<void>;
  /** Starts it again (stopping it first if running) on the same port and store. */
  restart(): Promise<void>;
  /** Stops the server and deletes the store when it was a temp dir made here. */
  destroy(): Promise<void>;
}

// Read at each call, not at import: a process (or a test) may point it
// elsewhere after this module is loaded.
const bin = (): string => process.env.NATS_SERVER_BIN ?? 'nats-server';
const START_TIMEOUT_MS = 10_000;

/** True when a nats-server binary can be run (the local demo falls back without it). */
export function natsServerAvailable(): boolean {
  const r = spawnSync(bin(), ['--version'], { stdio: 'ignore' });
  return r.status === 0;
}

/**
 * Starts a real nats-server child bound to 127.0.0.1. The first start lets
 * the server pick its port (`-p -1`, no race with other processes probing
 * for free ports); restarts reuse that port so connected clients reconnect.
 */
export async function startNatsServer(opts: NatsServerOptions = {}): Promise<NatsServerHandle> {
  const jetstream = opts.jetstream ?? true;
  const ownStore = opts.storeDir === undefined;
  const storeDir = opts.storeDir ?? mkdtempSync(join(tmpdir(), 'reindex-nats-'));
  let child: ChildProcess | undefined;

  const launch = async (port: number): Promise<number> => {
    const args = ['-a', '127.0.0.1', '-p', String(port)];
    if (jetstream) args.push('-js', '-sd', storeDir);
    const proc = spawn(bin(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    return await waitForReady(proc);
  };

  const stop = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((ok) => proc.once('exit', () => ok()));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };

  const port = await launch(opts.port ?? -1);
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    stop,
    async restart() {
      await stop();
      await launch(port);
    },
    async destroy() {
      await stop();
      if (ownStore) rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

// The server logs to stderr; "Server is ready" comes after JetStream has
// recovered its store, so a client connecting then finds its streams.
function waitForReady(proc: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let log = '';
    let port: number | undefined;
    const timer = setTimeout(() => fail(new Error(`nats-server did not start within ${START_TIMEOUT_MS} ms:\n${log}`)), START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      port ??= Number(/Listening for client connections on [^\s]*:(\d+)/.exec(log)?.[1]) || undefined;
      if (port !== undefined && log.includes('Server is ready')) {
        cleanup();
        // Keep draining stderr so a chatty server never blocks on a full pipe.
        proc.stderr?.resume();
        resolve(port);
      }
    };
    const onExit = (code: number | null) => fail(new Error(`nats-server exited with ${code} before it was ready:\n${log}`));
    const onError = (err: Error) => fail(new Error(`nats-server could not be started (${bin()}): ${err.message}`, { cause: err }));
    function cleanup() {
      clearTimeout(timer);
      proc.stderr?.off('data', onData);
      proc.off('exit', onExit);
      proc.off('error', onError);
    }
    function fail(err: Error) {
      cleanup();
      proc.kill('SIGKILL');
      reject(err);
    }
    proc.stderr?.on('data', onData);
    proc.once('exit', onExit);
    proc.once('error', onError);
  });
}
