import { setTimeout as delay } from 'node:timers/promises';
import { CloudEvent, type CloudEventV1 } from 'cloudevents';
import { resultId, WINDOW_COMPLETED, WINDOW_REQUESTED } from '../../shared/contracts/cloud-event-types.js';
import { windowFunctionEvent } from '../../shared/contracts/window-function-event.js';
import { WindowCompleted } from '../../shared/contracts/window-completed.js';
import type { WindowProgress } from '../../shared/contracts/window-progress.js';
import { WindowRequested } from '../../shared/contracts/window-requested.js';
import { InvalidEventError } from '../../shared/errors/invalid-event-error.js';
import { ReindexError } from '../../shared/errors/reindex-error.js';
import { UnavailableError } from '../../shared/errors/unavailable-error.js';
import { splitRawPage, type RawPage } from '../../shared/clickhouse/read-window.js';
import type { InputKind } from '../../shared/policy/evaluation-outcome.js';
import { ErrorTally } from './error-tally.js';
import type { EvaluatedPage, PageOutput } from './evaluate-page.js';
import { readAhead } from './read-ahead.js';
import { createTokenBucket } from './token-bucket.js';
import type { WindowDeps } from './window-deps.js';

/**
 * One window: read its rows page by page, evaluate each against the job's
 * policy snapshot, publish the activities (unless a dry run), and answer
 * with the counts. Knows nothing of HTTP: failures are ReindexErrors whose
 * status the app maps (400 drop, 503 redeliver).
 */
export async function handle(event: CloudEventV1<unknown>, deps: WindowDeps): Promise<CloudEvent<WindowCompleted>> {
  const now = deps.now ?? Date.now;
  const started = now();
  if (event.type !== WINDOW_REQUESTED) {
    throw new InvalidEventError(`unknown CloudEvent type ${JSON.stringify(event.type)}; expected ${WINDOW_REQUESTED}`);
  }
  const request = parseRequest(event.data);
  const { job, window } = request;
  const log = deps.log.child({ reindexJob: job.name, window: window.index, source: window.source });
  check(request, deps);
  let outcome = 'failed';
  try {
    const result = await processWindow(request, deps);
    const data = WindowCompleted.parse({
      job,
      window: { index: window.index, source: window.source },
      ...result,
      durationMs: now() - started,
    });
    outcome = 'completed';
    log.info(
      { events: data.processedEvents, activities: data.activitiesGenerated, errors: data.errors, durationMs: data.durationMs, dryRun: request.dryRun },
      'Processed reindex window',
    );
    return windowFunctionEvent(WINDOW_COMPLETED, resultId(job.uid, window.index), data);
  } catch (err) {
    if (err instanceof UnavailableError) outcome = 'unavailable';
    throw err;
  } finally {
    const labels = { source: window.source, outcome };
    deps.metrics.windows.inc(labels);
    deps.metrics.windowDuration.observe(labels, (now() - started) / 1000);
  }
}

async function processWindow(request: WindowRequested, deps: WindowDeps) {
  const { job, window, batchSize, dryRun, rateLimit } = request;
  const now = deps.now ?? Date.now;
  const kind = window.source === 'audit' ? 'audit' : 'event';
  const errors = new ErrorTally();
  const publisher = dryRun ? undefined : deps.createPublisher();
  const comparison = dryRun ? deps.compareDryRun?.(request) : undefined;
  // One batch may go at once; the rate holds over the window (see token-bucket.ts).
  const bucket = createTokenBucket(rateLimit, batchSize, { now, sleep: deps.sleep ?? ((ms) => delay(ms)) });
  const { metrics } = deps;
  let processedEvents = 0;
  let activitiesGenerated = 0;
  const byPolicy = new Map<string, number>();
  const dry_run = String(dryRun);

  // What a batch's activities are needed as (see PageOutput).
  const output: PageOutput = {
    mode: comparison ? 'objects' : !publisher ? 'none' : publisher.sendEncoded && publisher.subjectPrefix !== undefined ? 'encoded' : 'objects',
    jobUid: job.uid,
    subjectPrefix: publisher?.subjectPrefix,
    maxMessageBytes: deps.maxMessageBytes,
  };
  const reporting = reportEvery(request, deps, () => ({ processedEvents, activitiesGenerated, errors: errors.count }));
  try {
    // batchSize is the unit of rate and progress, whatever the reader's page
    // size: a page is evaluated, published and counted batch by batch as the
    // rate admits it, so a 10,000-row page neither lumps its evaluation nor
    // holds the counts still until it is all out. Read ahead over evaluate:
    // the next batch is evaluated (in a worker when there are some) while
    // this one waits for the rate and is published, one batch at most waiting.
    for await (const batch of readAhead(evaluateBatches(request, kind, output, deps))) {
      await bucket.take(batch.rows);
      const batchStarted = now();
      if (batch.objects) {
        if (comparison) await comparison.add(batch.objects);
        else if (publisher) {
          for (let i = 0; i < batch.objects.length; i++) {
            // Awaited only when it asks to be (maxInFlight acks out): a batch's
            // activities then leave in one socket write, not one write each.
            const waiting = publisher.publish(batch.objects[i]!, batch.msgIds![i]!);
            if (waiting) await waiting;
          }
        }
      } else if (batch.payload && publisher?.sendEncoded) {
        const { payload, ends, subjects, msgIds } = batch;
        let start = 0;
        for (let i = 0; i < batch.activities; i++) {
          const end = ends![i]!;
          const waiting = publisher.sendEncoded(subjects![i]!, payload.subarray(start, end), msgIds![i]!);
          if (waiting) await waiting;
          start = end;
        }
      }
      metrics.batchDuration.observe((now() - batchStarted) / 1000);
      metrics.eventsProcessed.inc({ source_type: window.source, policy: 'all', dry_run }, batch.rows);
      // The batch's counts move together, once it is out: a report never
      // holds a batch's activities without its events.
      for (const e of batch.errors) {
        errors.add({ originId: e.originId, policy: e.policy, rule: e.rule, message: e.message, type: e.type });
        metrics.errors.inc({ error_type: e.type });
      }
      activitiesGenerated += batch.activities;
      for (const [policy, n] of Object.entries(batch.byPolicy)) byPolicy.set(policy, (byPolicy.get(policy) ?? 0) + n);
      processedEvents += batch.rows;
      reporting.batchDone();
    }
  } finally {
    reporting.stop();
  }
  const published = publisher ? await publisher.flush() : undefined;
  for (const [policy, n] of byPolicy) {
    metrics.activitiesGenerated.inc({ policy, dry_run }, n);
    // Flushed: every activity of the window is acknowledged by the stream.
    if (publisher) metrics.activitiesPublished.inc({ policy }, n);
  }
  const dryRunReport = comparison ? await comparison.finish() : undefined;
  return {
    processedEvents,
    activitiesGenerated,
    errors: errors.count,
    errorSamples: errors.samples,
    ...(published?.flowControlWaitMs ? { flowControlWaitMs: published.flowControlWaitMs } : {}),
    ...(dryRunReport ? { dryRun: dryRunReport } : {}),
  };
}

export const DEFAULT_PROGRESS_INTERVAL_MS = 5_000;

/**
 * While the window runs, report its counts every interval when they moved.
 * Activities count once acknowledged would be truer, but the counts here
 * run ahead by at most the publisher's in-flight window, and the result
 * replaces them. One report at a time: a slow Broker skips ticks rather
 * than piling reports up.
 */
function reportEvery(
  request: WindowRequested,
  deps: WindowDeps,
  counts: () => Pick<WindowProgress, 'processedEvents' | 'activitiesGenerated' | 'errors'>,
): { batchDone: () => void; stop: () => void } {
  const report = deps.reportProgress;
  if (!report) return { batchDone: () => {}, stop: () => {} };
  const now = deps.now ?? Date.now;
  const started = now();
  const { job, window } = request;
  let last = 0;
  let sending = false;
  const tick = () => {
    const current = counts();
    if (sending || current.processedEvents === last) return;
    last = current.processedEvents;
    sending = true;
    void report({ job, window: { index: window.index, source: window.source }, ...current, elapsedMs: Math.max(0, now() - started) }).finally(() => {
      sending = false;
    });
  };
  const timer = setInterval(tick, deps.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS);
  timer.unref();
  return {
    // The first batch moves the status at once, not an interval later.
    batchDone: () => {
      if (last === 0) tick();
    },
    stop: () => clearInterval(timer),
  };
}

// The window's rows in batches of batchSize, each evaluated as it is
// reached. Pages are read one ahead, so ClickHouse answers the next while
// this one's batches go. ClickHouse failing, or the evaluator (a worker
// dying), is a fault of this instance, not of the window: 503, redelivered.
async function* evaluateBatches(request: WindowRequested, kind: InputKind, output: PageOutput, deps: WindowDeps): AsyncGenerator<EvaluatedPage> {
  const { window, batchSize } = request;
  const pages = readAhead(deps.readWindow(window))[Symbol.asyncIterator]();
  try {
    for (;;) {
      let next: IteratorResult<RawPage>;
      try {
        next = await pages.next();
      } catch (err) {
        if (err instanceof ReindexError) throw err;
        throw new UnavailableError(`reading ${window.source} rows [${window.from}, ${window.to}) failed: ${(err as Error).message}`, {
          cause: err,
        });
      }
      if (next.done) return;
      for (const batch of splitRawPage(next.value, batchSize)) {
        let evaluated: EvaluatedPage;
        try {
          evaluated = await deps.evaluatePool.evaluate(request, kind, batch.bytes, output);
        } catch (err) {
          throw new UnavailableError(`evaluating ${window.source} rows failed: ${(err as Error).message}`, { cause: err });
        }
        yield evaluated;
      }
    }
  } finally {
    await pages.return(undefined);
  }
}

function parseRequest(data: unknown): WindowRequested {
  const parsed = WindowRequested.safeParse(typeof data === 'string' ? parseJson(data) : data);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(data)'}: ${i.message}`);
  throw new InvalidEventError(`invalid ${WINDOW_REQUESTED} data: ${issues.join('; ')}`);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidEventError(`invalid ${WINDOW_REQUESTED} data: not JSON`);
  }
}

// The controller compiles the snapshot before emitting anything, so a
// compile error here is a bad event, not a transient fault: 400, no retry.
function check(request: WindowRequested, deps: WindowDeps): void {
  try {
    deps.evaluatePool.check(request);
  } catch (err) {
    if (err instanceof ReindexError) throw err;
    throw new InvalidEventError(`policy snapshot of ReindexJob ${request.job.name} does not compile: ${(err as Error).message}`, {
      cause: err,
    });
  }
}
