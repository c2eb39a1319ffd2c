// A FIFO of async jobs run at most `concurrency` at a time, with a way to
// wait until nothing is left, counting work parked elsewhere (a backoff
// sleep) through hold()/release().
export type WorkQueue = {
  push(job: () => Promise<void>): void;
  /** Marks work that is not in the queue yet but will be (a retry waiting out its backoff). */
  hold(): void;
  release(): void;
  readonly active: number;
  readonly queued: number;
  readonly held: number;
  /** Resolves once nothing is queued, running or held. */
  idle(): Promise<void>;
};

export function createWorkQueue(concurrency: number): WorkQueue {
  const jobs: Array<() => Promise<void>> = [];
  let active = 0;
  let held = 0;
  let waiters: Array<() => void> = [];

  const settle = () => {
    if (active + jobs.length + held > 0) return;
    const ready = waiters;
    waiters = [];
    for (const resolve of ready) resolve();
  };

  const pump = () => {
    while (active < concurrency && jobs.length > 0) {
      const job = jobs.shift()!;
      active++;
      // Jobs handle their own errors; a throw here is a bug, but must not wedge the queue.
      job()
        .catch(() => {})
        .finally(() => {
          active--;
          pump();
          settle();
        });
    }
  };

  return {
    push(job) {
      jobs.push(job);
      pump();
    },
    hold() {
      held++;
    },
    release() {
      held--;
      settle();
    },
    get active() {
      return active;
    },
    get queued() {
      return jobs.length;
    },
    get held() {
      return held;
    },
    idle() {
      if (active + jobs.length + held === 0) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
  };
}
