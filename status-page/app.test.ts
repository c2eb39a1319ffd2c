import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JobSource } from './job-source.js';
import { memoryJobSource, type MemoryJob } from './memory-job-source.js';
import { answerWindows, sampleRunningJob } from './sample-job.js';
import { startStatusPage } from './start-status-page.js';

const start = new Date('2025-03-01T00:00:00.000Z');

async function serve(t: { after: (fn: () => Promise<void>) => void }, source: JobSource, now?: () => Date) {
  const page = await startStatusPage(source, 0, { now });
  t.after(() => page.close());
  return page;
}

test('lists jobs newest first with phase, percent, rate and ETA', async (t) => {
  const older = sampleRunningJob('older', start, 4, new Date('2025-03-02T00:00:00Z'));
  const newer = sampleRunningJob('newer', start, 4, new Date('2025-03-03T00:00:00Z'));
  answerWindows(newer, { completed: [0, 1, 4] }, new Date(), 500);
  const now = new Date('2025-03-03T00:10:00Z');
  const page = await serve(t, memoryJobSource(new Map([['older', older], ['newer', newer]])), () => now);

  const body = await (await fetch(new URL('api/jobs', page.url))).json();
  assert.deepEqual(body.jobs.map((j: { name: string }) => j.name), ['newer', 'older']);
  const [job] = body.jobs;
  assert.equal(job.phase, 'Running');
  assert.equal(job.percent, newer.job.status!.progress!.percent);
  assert.ok(job.percent > 0);
  assert.equal(job.eventsPerSecond, 500);
  const remaining = newer.job.status!.progress!.totalEvents - newer.job.status!.progress!.processedEvents;
  assert.equal(Date.parse(job.estimatedCompletionTime), now.getTime() + Math.round((remaining / 500) * 1000));
  assert.equal(job.createdAt, '2025-03-03T00:00:00.000Z');
});

test('draws one strip per source on the time axis with each window in its state', async (t) => {
  const sample = sampleRunningJob('strip', start, 4);
  sample.emitted = [0, 1, 2, 4];
  answerWindows(sample, { completed: [0, 4] }, new Date());
  const page = await serve(t, memoryJobSource(new Map([['strip', sample]])));
  const running = (await (await fetch(new URL('api/jobs/strip', page.url))).json()).job;
  assert.deepEqual(running.strips[0].windows.map((w: { state: string }) => w.state), ['done', 'inflight', 'inflight', 'pending']);

  answerWindows(sample, { failed: [{ index: 1, reason: 'DeadLetter', message: 'ClickHouse unreachable' }] }, new Date());
  const { job } = await (await fetch(new URL('api/jobs/strip', page.url))).json();
  assert.deepEqual(job.strips.map((s: { source: string }) => s.source), ['audit', 'event']);
  const [audit, event] = job.strips;
  assert.deepEqual(audit.windows.map((w: { left: number; width: number }) => [w.left, w.width]), [[0, 25], [25, 25], [50, 25], [75, 25]]);
  // Failed ends the job, so the window still out is no longer in flight.
  assert.deepEqual(audit.windows.map((w: { state: string }) => w.state), ['done', 'failed', 'pending', 'pending']);
  assert.deepEqual(event.windows.map((w: { state: string }) => w.state), ['done', 'pending', 'pending', 'pending']);
  assert.deepEqual(audit.counts, { done: 1, failed: 1, inflight: 0, pending: 2 });
  assert.match(audit.windows[1].reason, /ClickHouse unreachable/);
  assert.deepEqual(job.failedWindows, [{ index: 1, source: 'audit', reason: 'window 1 (audit) failed: DeadLetter: ClickHouse unreachable' }]);
  assert.equal(job.phase, 'Failed');
  assert.equal(job.tracksInFlight, true);
});

test('shows windows not yet answered as pending when the source does not record emissions', async (t) => {
  const sample = sampleRunningJob('plain', start, 2);
  const { listEmitted: _, ...source } = memoryJobSource(new Map([['plain', sample]]));
  const page = await serve(t, source);
  const { job } = await (await fetch(new URL('api/jobs/plain', page.url))).json();
  assert.equal(job.tracksInFlight, false);
  assert.ok(job.strips.every((s: { counts: { pending: number } }) => s.counts.pending === 2));
});

test('keeps a history of the rate from one poll to the next', async (t) => {
  const sample = sampleRunningJob('rate', start, 4);
  let now = new Date('2025-03-01T10:00:00Z');
  const page = await serve(t, memoryJobSource(new Map([['rate', sample]])), () => now);
  for (const [seconds, eps] of [[0, 100], [1, 250], [2, 400]] as const) {
    now = new Date(Date.parse('2025-03-01T10:00:00Z') + seconds * 1000);
    sample.job.status!.eventsPerSecond = eps;
    await fetch(new URL('api/jobs/rate', page.url));
  }
  const { job } = await (await fetch(new URL('api/jobs/rate', page.url))).json();
  assert.deepEqual(job.rate.map((p: { eventsPerSecond: number }) => p.eventsPerSecond), [100, 250, 400]);
});

test('a page that first sees a job mid-run charts the last minute from status.progress.recent at once', async (t) => {
  const sample = sampleRunningJob('mid', start, 4);
  // Three samples 2 s apart: 200 events, then 1,000 (400/s), then 1,600 (300/s).
  sample.job.status!.progress!.recent = [
    { at: '2025-03-01T09:59:56.000Z', processedEvents: 200 },
    { at: '2025-03-01T09:59:58.000Z', processedEvents: 1_000 },
    { at: '2025-03-01T10:00:00.000Z', processedEvents: 1_600 },
  ];
  sample.job.status!.eventsPerSecond = 350;
  const now = new Date('2025-03-01T10:00:01Z');
  const page = await serve(t, memoryJobSource(new Map([['mid', sample]])), () => now);
  const { job } = await (await fetch(new URL('api/jobs/mid', page.url))).json();
  assert.deepEqual(
    job.rate.map((p: { at: string; eventsPerSecond: number }) => [p.at, p.eventsPerSecond]),
    [
      ['2025-03-01T09:59:58.000Z', 400],
      ['2025-03-01T10:00:00.000Z', 300],
      ['2025-03-01T10:00:01.000Z', 350],
    ],
  );
});

test('answers 404 for a job that does not exist', async (t) => {
  const page = await serve(t, memoryJobSource(new Map()));
  const res = await fetch(new URL('api/jobs/nope', page.url));
  assert.equal(res.status, 404);
  assert.match((await res.json()).error, /nope not found/);
});

test('answers 503 naming the cause when the job source cannot be read', async (t) => {
  const broken: JobSource = {
    listJobs: async () => { throw new Error('connect ECONNREFUSED 127.0.0.1:6443'); },
    getJob: async () => undefined,
    getPlan: async () => undefined,
    listEvents: async () => [],
  };
  const page = await serve(t, broken);
  const res = await fetch(new URL('api/jobs', page.url));
  assert.equal(res.status, 503);
  assert.match((await res.json()).error, /ECONNREFUSED/);
});

test('serves the page for the list and for a job, and its assets, but nothing outside them', async (t) => {
  const page = await serve(t, memoryJobSource(new Map<string, MemoryJob>()));
  for (const path of ['', 'jobs/some-job']) {
    const res = await fetch(new URL(path, page.url));
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /text\/html/);
    assert.match(await res.text(), /\/assets\/main\.js/);
  }
  const js = await fetch(new URL('assets/main.js', page.url));
  assert.match(js.headers.get('content-type')!, /javascript/);
  await js.text();
  for (const path of ['assets/..%2Fapp.ts', 'assets/app.ts', 'assets/nothing.js']) {
    const res = await fetch(new URL(path, page.url));
    assert.equal(res.status, 404, path);
    await res.text();
  }
});
