import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { parsePageRows } from '../../shared/clickhouse/read-window.js';
import type { WindowRequested } from '../../shared/contracts/window-requested.js';
import type { InputKind } from '../../shared/policy/evaluation-outcome.js';
import { compilePolicies } from '../../shared/policy/policy-engine.js';
import { evaluatePage, type EvaluatedPage, type PageOutput } from './evaluate-page.js';
import type { PageJob, PageReply } from './evaluate-worker.js';
import { createPolicyEngineCache } from './policy-engine-cache.js';

/**
 * The window's one page evaluator: a page's ClickHouse bytes in, its rows
 * parsed, evaluated and (as `output` asks) encoded out. With workers it runs
 * off the main thread; with none, in it. Same pages, same results.
 */
export interface EvaluatePool {
  /**
   * Compiles the request's snapshot in this thread (cached per job uid +
   * generation), so one that does not compile is refused before a row is
   * read. Throws PolicyCompileError.
   */
  check(request: WindowRequested): void;
  evaluate(request: WindowRequested, kind: InputKind, bytes: Uint8Array, output: PageOutput): Promise<EvaluatedPage>;
  close(): Promise<void>;
}

// Compiled (dist/), the worker is plain JavaScript; from the sources (tests),
// a small entry registers tsx in the worker thread first.
const WORKER = import.meta.url.endsWith('.ts')
  ? new URL('./evaluate-worker-entry.mjs', import.meta.url)
  : new URL('./evaluate-worker.js', import.meta.url);
/** Snapshots (job uid + generation) each worker keeps compiled, as policy-engine-cache.ts does in-thread. */
const MAX_SNAPSHOTS = 16;

/** Workers idle this long are ended (and started again by the next page). */
const IDLE_MS = 5_000;

/** Workers to use by default: one per spare core, one at least, two at most. */
export function defaultEvaluateWorkers(): number {
  return Math.min(2, Math.max(1, availableParallelism() - 1));
}

interface Slot {
  worker: Worker;
  pending: Map<number, { resolve: (page: EvaluatedPage) => void; reject: (err: Error) => void }>;
  /** Snapshot keys this worker holds, least recently used first. */
  snapshots: Set<string>;
  dead?: boolean;
}

/**
 * `size` worker threads, each page to the one with the fewest pages
 * pending; `size` 0 evaluates in this thread. A worker runs the same kind of
 * module as this one: compiled JavaScript, or TypeScript through tsx. One
 * that dies fails its pending pages (the window answers 503 and is
 * redelivered) and is replaced when the next page comes. The workers are
 * unref'd: they never keep the process alive.
 */
export function createEvaluatePool(size = defaultEvaluateWorkers()): EvaluatePool {
  const engineFor = createPolicyEngineCache(compilePolicies);
  const check = (request: WindowRequested) => void engineFor(request);
  if (size === 0) {
    let closed = false;
    return {
      check,
      async evaluate(request, kind, bytes, output) {
        if (closed) throw new Error('evaluation pool closed');
        return evaluatePage(engineFor(request), kind, parsePageRows(bytes), output);
      },
      async close() {
        closed = true;
      },
    };
  }
  let nextId = 1;
  let closed = false;
  const spawn = (): Slot => {
    const worker = new Worker(WORKER, { execArgv: [] });
    worker.unref();
    const slot: Slot = { worker, pending: new Map(), snapshots: new Set() };
    worker.on('message', (reply: PageReply) => {
      const waiter = slot.pending.get(reply.id);
      if (!waiter) return;
      slot.pending.delete(reply.id);
      if (--pendingPages === 0) idleTimer.refresh();
      if ('error' in reply) waiter.reject(new Error(`evaluation worker: ${reply.error}`));
      else waiter.resolve(reply.page);
    });
    // Replaced lazily, by the next page it would get: a worker ended at
    // process exit must not start another.
    const fail = (err: Error) => {
      slot.dead = true;
      pendingPages -= slot.pending.size;
      for (const waiter of slot.pending.values()) waiter.reject(err);
      slot.pending.clear();
    };
    worker.on('error', (err) => fail(err));
    worker.on('exit', (code) => fail(new Error(`evaluation worker exited with code ${code}`)));
    return slot;
  };
  const slots: Slot[] = Array.from({ length: size }, spawn);
  let pendingPages = 0;
  // Idle workers are ended: an instance between jobs holds no threads, and a
  // process whose work is done exits even where a worker would keep it up.
  const idleTimer = setTimeout(() => {
    if (pendingPages > 0) return;
    for (const slot of slots) {
      if (slot.dead) continue;
      slot.dead = true;
      void slot.worker.terminate();
    }
  }, IDLE_MS);
  idleTimer.unref();

  return {
    check,
    evaluate(request, kind, bytes, output) {
      if (closed) return Promise.reject(new Error('evaluation pool closed'));
      for (let i = 0; i < slots.length; i++) if (slots[i]!.dead) slots[i] = spawn();
      let slot = slots[0]!;
      for (const s of slots) if (s.pending.size < slot.pending.size) slot = s;
      const key = `${request.job.uid}/${request.job.generation}`;
      // The bytes go over in a buffer of their own, transferred, not cloned:
      // the page is usually a view on a larger answer (or Node's pool), whose
      // buffer must stay here. One copy of bytes, no string on this thread.
      const job: PageJob = { id: nextId++, key, kind, bytes: new Uint8Array(bytes), output };
      if (slot.snapshots.has(key)) {
        slot.snapshots.delete(key);
      } else {
        job.snapshot = { policies: request.policies, discovery: request.discovery };
        if (slot.snapshots.size >= MAX_SNAPSHOTS) {
          const oldest = slot.snapshots.values().next().value as string;
          slot.snapshots.delete(oldest);
          job.evict = [oldest];
        }
      }
      slot.snapshots.add(key);
      pendingPages++;
      return new Promise<EvaluatedPage>((resolve, reject) => {
        slot.pending.set(job.id, { resolve, reject });
        slot.worker.postMessage(job, [job.bytes.buffer as ArrayBuffer]);
      });
    },
    async close() {
      closed = true;
      clearTimeout(idleTimer);
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
