import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface ChildOptions {
  env?: NodeJS.ProcessEnv;
  /** Extra node flags, e.g. `--cpu-prof --cpu-prof-dir=…`. */
  nodeFlags?: string[];
}

// Compiled (dist/, `npm run bench`), this module's siblings are .js files
// too; from the sources (the tests) they are TypeScript, loaded by tsx.
const COMPILED = import.meta.url.endsWith('.js');

/**
 * Starts a TypeScript file of this folder (or any path) as a node child:
 * its compiled .js beside it when this module is compiled, else the .ts
 * through tsx. stdout piped, stderr piped.
 */
export function spawnTs(file: string | URL, args: string[] = [], opts: ChildOptions = {}): ChildProcess {
  const source = typeof file === 'string' ? file : fileURLToPath(file);
  const entry = COMPILED ? [source.replace(/\.ts$/, '.js')] : ['--import', 'tsx', source];
  return spawn(process.execPath, [...(opts.nodeFlags ?? []), ...entry, ...args], {
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * Runs a child to its end and parses the last line it printed as JSON: the
 * children of this folder report that way. A non-zero exit fails with the
 * child's stderr.
 */
export async function runJsonChild<T>(file: string | URL, params: unknown, opts: ChildOptions = {}): Promise<T> {
  const proc = spawnTs(file, [JSON.stringify(params)], opts);
  let stdout = '';
  let stderr = '';
  proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-8_000)));
  const code = await new Promise<number | null>((ok, fail) => {
    proc.once('error', fail);
    proc.once('exit', (c) => ok(c));
  });
  if (code !== 0) throw new Error(`${String(file)} exited with ${code}:\n${stderr}`);
  const last = stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last) as T;
  } catch {
    throw new Error(`${String(file)} printed no JSON result:\n${stdout.slice(-2_000)}\n${stderr}`);
  }
}

/**
 * The peak resident set size of a live process in MiB, from the kernel's
 * high-water mark (`VmHWM` in /proc/<pid>/status, Linux): it counts every
 * page the process ever held at once, native (chDB) memory included.
 */
export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(kb) / 1024;
}
