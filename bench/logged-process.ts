import type { ChildProcess } from 'node:child_process';
import { peakRssMb, spawnTs } from './child-process.js';

export interface LoggedProcess {
  /** The `url` field of the start line, if it has one. */
  url?: string;
  pid: number;
  peakRssMb(): number;
  /** SIGTERM, SIGKILL after graceMs. */
  stop(graceMs?: number): Promise<void>;
}

const START_TIMEOUT_MS = 120_000;

/**
 * Starts a TypeScript entry point of the project as a child (compiled JS
 * when the bench runs compiled) and waits for the pino log line with
 * `startMessage` on stderr. The rest of its output is drained and dropped.
 */
export async function startLoggedProcess(file: URL, args: string[], env: NodeJS.ProcessEnv, startMessage: string, nodeFlags: string[] = []): Promise<LoggedProcess> {
  const proc = spawnTs(file, args, { env: { LOG_LEVEL: 'info', ...env }, nodeFlags });
  const url = await waitForStart(proc, startMessage);
  const pid = proc.pid!;
  return {
    url,
    pid,
    peakRssMb: () => peakRssMb(pid),
    async stop(graceMs = 10_000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((ok) => proc.once('exit', () => ok()));
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

function waitForStart(proc: ChildProcess, message: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => fail(new Error(`${message}: not seen within ${START_TIMEOUT_MS} ms:\n${log}`)), START_TIMEOUT_MS);
    const onData = (chunk: string) => {
      log = (log + chunk).slice(-16_000);
      const line = log.split('\n').find((l) => l.includes(`"${message}"`));
      if (!line) return;
      cleanup();
      proc.stderr!.on('data', () => undefined);
      resolve((JSON.parse(line) as { url?: string }).url);
    };
    const onExit = (code: number | null) => fail(new Error(`exited with ${code} before "${message}":\n${log}`));
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
