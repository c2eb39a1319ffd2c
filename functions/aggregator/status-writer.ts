// Writes folded status, one job at a time and at most once per interval:
// inputs (window results, or any other StatusInput) that arrive while a
// write is pending or in flight join the next one, so a job at parallelism
// 256 costs about one status write per interval instead of one per result
// plus the 409s of results racing each other. A write that fails (409, 429,
// 5xx, API down) is tried again from a fresh read with backoff
// (updateJobStatus), for as long as it takes; the waiting request is answered
// 503 after maxWaitMs so the Broker redelivers it, while its input stays
// queued (folding it twice changes nothing: windows count once). Inputs that
// arrive meanwhile wait for the next write.
import type { CustomObjectsApi } from '@kubernetes/client-node';
import { TERMINAL_PHASES, type ReindexJob } from '../../shared/api/reindex-job.js';
import { UnavailableError } from '../../shared/errors/unavailable-error.js';
import type { RecordEvent } from '../../shared/kube/record-event.js';
import { statusCode, transientStatusError, updateJobStatus } from '../../shared/kube/reindex-job-client.js';
import type { Logger } from '../../shared/log.js';
import { reduceStatus, type DropReason, type Reduction, type StatusInput } from './reduce.js';

export interface StatusWriterOptions {
  jobs: CustomObjectsApi;
  recordEvent: RecordEvent;
  log: Logger;
  now?: () => Date;
  /** At most one write per job per this many ms (default 2000: progress reports and results of a 256-way job alike cost about one write per 2 s). */
  intervalMs?: number;
  /** How long a caller waits for its input to be written before it is answered 503 (default 45 s, under the Service's 60 s timeout). */
  maxWaitMs?: number;
  /** First retry delay after a failed write; doubles (randomized ×1–2 below the cap) up to retryMaxMs (defaults 20 ms and 5 s). */
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
    const batch = queue.pending.splice(0);
    // The last attempt's read and reduction: the ones the written status came from.
    let read: ReindexJob | undefined;
    let reduction: Reduction | undefined;
    let written: ReindexJob | undefined;
    try {
      written = await updateJobStatus(
        opts.jobs,
        name,
        (job) => {
          read = job;
          reduction = reduceStatus(job.status ?? {}, batch.map((w) => w.input), {
            now: now(),
            maxErrors: job.spec.config?.maxErrors,
            generation: job.metadata.generation ?? 0,
            jobUid: job.metadata.uid,
          });
          return reduction.dropped.some((d) => d === undefined) ? reduction.status : undefined;
        },
        {
          // Past shutdown's first few tries the answer goes out as a 503 and the Broker redelivers.
          retries: Number.POSITIVE_INFINITY,
          retryable: (err, attempt) => transientStatusError(err) && !(closing && attempt > 3),
          minBackoffMs: retryBaseMs,
          maxBackoffMs: retryMaxMs,
          onRetry: (err, attempt) => {
            if (statusCode(err) !== 409) opts.log.warn({ err, reindexJob: name, attempt, results: batch.length }, 'Failed to write ReindexJob status; retrying');
          },
        },
      );
    } catch (err) {
      for (const w of batch) w.reject(err as Error);
      return;
    }
    queue.lastWriteAt = Date.now();
    if (!written || !read || !reduction) {
      for (const w of batch) w.resolve({ dropped: 'job-gone' });
      return;
    }
    const finished = (j: ReindexJob) => TERMINAL_PHASES.has(j.status?.phase ?? 'Pending');
    // Nothing written leaves `written` the job as read: it cannot have finished here.
    let finishedJob = !finished(read) && finished(written);
    const { dropped } = reduction;
    batch.forEach((w, i) => {
      const reason = dropped[i];
      w.resolve({ job: written, ...(reason ? { dropped: reason } : {}), ...(!reason && finishedJob ? { finishedJob } : {}) });
      if (!reason) finishedJob = false;
    });
    for (const event of reduction.events) await opts.recordEvent(written, event);
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
      // A write that ends may start the next for inputs that came meanwhile: wait until none is left.
      for (;;) {
        const running = [...queues.values()].map((q) => q.running).filter((r) => r !== undefined);
        if (running.length === 0) break;
        await Promise.all(running);
      }
    },
  };
}
