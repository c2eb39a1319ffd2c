export interface WorkQueue {
  add(key: string): void;
  addAfter(key: string, ms: number): void;
  /** Stops taking work and waits for the keys being processed. */
  shutDown(): Promise<void>;
}

/**
 * A queue of keys (job names), as in client-go: a key is queued at most once,
 * never processed twice at the same time, and a key added while it is being
 * processed runs again afterwards. Delayed adds keep only the earliest time.
 */
export function createWorkQueue(process: (key: string) => Promise<void>, concurrency = 4): WorkQueue {
  const queue: string[] = [];
  const queued = new Set<string>();
  const active = new Map<string, Promise<void>>();
  const dirty = new Set<string>();
  const timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  let stopped = false;

  function pump() {
    while (!stopped && active.size < concurrency) {
      const i = queue.findIndex((key) => !active.has(key));
      if (i < 0) return;
      const [key] = queue.splice(i, 1);
      queued.delete(key);
      const run = process(key)
        .catch(() => undefined) // the processor logs; a failure must not stop the queue
        .finally(() => {
          active.delete(key);
          if (dirty.delete(key)) add(key);
          pump();
        });
      active.set(key, run);
    }
  }

  function add(key: string) {
    if (stopped) return;
    if (active.has(key)) {
      dirty.add(key);
      return;
    }
    if (queued.has(key)) return;
    queued.add(key);
    queue.push(key);
    pump();
  }

  return {
    add,
    addAfter(key, ms) {
      if (stopped) return;
      if (ms <= 0) return add(key);
      const at = Date.now() + ms;
      const existing = timers.get(key);
      if (existing && existing.at <= at) return;
      if (existing) clearTimeout(existing.timer);
      const timer = setTimeout(() => {
        timers.delete(key);
        add(key);
      }, ms);
      timers.set(key, { at, timer });
    },
    async shutDown() {
      stopped = true;
      for (const { timer } of timers.values()) clearTimeout(timer);
      timers.clear();
      await Promise.all(active.values());
    },
  };
}
