// Writes folded status, one job at a time and at most once per interval:
// inputs (window results, or any other StatusInput) that arrive while a
// write is pending or in flight join the next one, so a job at parallelism
// 256 costs about one status write per interval instead of one per result
// plus the 409s of results racing each other. A write that fails (409, 429,
// 5xx, API down) is tried again from a fresh read with jittered backoff, for
// as long as it takes; the waiting request is answered 503 after maxWaitMs so
// the Broker redelivers it, while its input stays queued (folding it twice
// changes nothing: windows count once).
import type { CustomObjectsApi } from '@kubernetes/client-node';
import { TERMINAL_PHASES, type ReindexJob } from '../../shared/api/reindex-job.js';
import { UnavailableError } from '../../shared/errors/unavailable-error.js';
import type { RecordEvent } from '../../shared/kube/record-event.js';
import { getJob, patchJobStatus, statusCode } from '../../shared/kube/reindex-job-client.js';
import type { Logger } from '../../shared/log.js';
import { reduceStatus, type DropReason, type StatusInput } from './reduce.js';

export interface StatusWriterOptions {
  jobs: CustomObjectsApi;
  recordEvent: RecordEvent;
  log: Logger;
  now?: () => Date;
  /** At most one write per job per this many ms (default 2000: progress reports and results of a 256-way job alike cost about one write per 2 s). */
  intervalMs?: number;
  /** How long a caller waits for its input to be written before it is answered 503 (default 45 s, under the Service's 60 s timeout). */
  maxWaitMs?: number;
  /** First retry delay after a failed write; doubles, jittered, up to retryMaxMs (defaults 20 ms and 5 s). */
  retryBaseMs?: number;
  retryMaxMs?: number;
}

export interface Folded {
  /** The job as written (or as read, when nothing changed). */
  job?: ReindexJob;
  dropped?: DropReason | 'job-gone';
  /** Set on one input only: the write that folded it ended the job (Succeeded or Failed). */
  finishedJob?: boolean;
}

export interface StatusWriter {
  /** Resolves once the input is in the job's status (or dropped, saying why). */
  submit(jobName: string, input: StatusInput): Promise<Folded>;
  /** Writes (and answers) what is pending, then stops. */
  close(): Promise<void>;
}

interface Waiter {
  input: StatusInput;
  resolve(folded: Folded): void;
  reject(err: Error): void;
}

interface JobQueue {
  pending: Waiter[];
  lastWriteAt: number;
  timer?: NodeJS.Timeout;
  running?: Promise<void>;
}

/** Answers 409, 429, 5xx and no answer at all may go away; anything else will not. */
function retryable(err: unknown): boolean {
  const code = statusCode(err);
  return code === undefined || code === 409 || code === 429 || code >= 500;
}

export function createStatusWriter(opts: StatusWriterOptions): StatusWriter {
  const intervalMs = opts.intervalMs ?? 2000;
  const maxWaitMs = opts.maxWaitMs ?? 45_000;
  const retryBaseMs = opts.retryBaseMs ?? 20;
  const retryMaxMs = opts.retryMaxMs ?? 5_000;
  const now = opts.now ?? (() => new Date());
  const queues = new Map<string, JobQueue>();
  let closing = false;

  function schedule(name: string, queue: JobQueue, at = queue.lastWriteAt + intervalMs) {
    if (queue.running || queue.timer || queue.pending.length === 0) return;
    const run = () => {
      queue.timer = undefined;
      queue.running = flush(name, queue).finally(() => {
        queue.running = undefined;
        if (queue.pending.length > 0) schedule(name, queue);
        else if (!queue.timer) queues.delete(name);
      });
    };
    const wait = closing ? 0 : Math.max(0, at - Date.now());
    if (wait === 0) run();
    else queue.timer = setTimeout(run, wait);
  }

  async function flush(name: string, queue: JobQueue): Promise<void> {
    const batch: Waiter[] = [];
    for (let attempt = 1; ; attempt++) {
      // Whatever arrived while the last attempt failed joins this one.
      batch.push(...queue.pending.splice(0));
      try {
        const job = await getJob(opts.jobs, name);
        if (!job) {
          for (const w of batch) w.resolve({ dropped: 'job-gone' });
          return;
        }
        const reduction = reduceStatus(job.status ?? {}, batch.map((w) => w.input), {
          now: now(),
          maxErrors: job.spec.config?.maxErrors,
          generation: job.metadata.generation ?? 0,
          jobUid: job.metadata.uid,
        });
        const changed = reduction.dropped.some((d) => d === undefined);
        const written = changed ? await patchJobStatus(opts.jobs, job, reduction.status) : job;
        queue.lastWriteAt = Date.now();
        const finished = (j: ReindexJob) => TERMINAL_PHASES.has(j.status?.phase ?? 'Pending');
        let finishedJob = changed && !finished(job) && finished(written);
        batch.forEach((w, i) => {
          const dropped = reduction.dropped[i];
          w.resolve({ job: written, ...(dropped ? { dropped } : {}), ...(!dropped && finishedJob ? { finishedJob } : {}) });
          if (!dropped) finishedJob = false;
        });
        for (const event of reduction.events) await opts.recordEvent(written, event);
        return;
      } catch (err) {
        if (statusCode(err) === 404) {
          for (const w of batch) w.resolve({ dropped: 'job-gone' });
          return;
        }
        if (!retryable(err) || (closing && attempt > 3)) {
          for (const w of batch) w.reject(err as Error);
          return;
        }
        const delay = Math.min(retryMaxMs, retryBaseMs * 2 ** Math.min(attempt - 1, 16));
        if (statusCode(err) !== 409) opts.log.warn({ err, reindexJob: name, attempt, results: batch.length }, 'Failed to write ReindexJob status; retrying');
        // Full jitter: writers that collided do not collide again in step.
        await new Promise((ok) => setTimeout(ok, Math.random() * delay));
      }
    }
  }

  return {
    submit(name, input) {
      if (closing) return Promise.reject(new UnavailableError('the aggregator is shutting down'));
      return new Promise<Folded>((resolve, reject) => {
        let queue = queues.get(name);
        if (!queue) queues.set(name, (queue = { pending: [], lastWriteAt: 0 }));
        const timer = setTimeout(
          () => reject(new UnavailableError(`status of ReindexJob ${name} not written within ${maxWaitMs} ms; the result stays queued`)),
          maxWaitMs,
        );
        const settle = <T>(fn: (v: T) => void) => (v: T) => {
          clearTimeout(timer);
          fn(v);
        };
        queue.pending.push({ input, resolve: settle(resolve), reject: settle(reject) });
        schedule(name, queue);
      });
    },
    async close() {
      closing = true;
      for (const [name, queue] of queues) {
        if (queue.timer) {
          clearTimeout(queue.timer);
          queue.timer = undefined;
          schedule(name, queue, 0);
        }
      }
      await Promise.all([...queues.values()].map((q) => q.running));
    },
  };
}
