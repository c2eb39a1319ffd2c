// The status page in Chromium for issue 16: a running job mid-window (live
// counts, recent rate, an estimate that has passed reads "finishing…"),
// a job failed by a dead letter (the reason in the list, percent of
// processed events only), a dry run, and a job whose selector matched no
// Ready policy. Jobs are held in memory, shaped as the controller and the
// aggregator leave them; screenshots go to test-results/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import type { MemoryJob } from '../status-page/memory-job-source.js';
import { memoryJobSource } from '../status-page/memory-job-source.js';
import { answerWindows, sampleRunningJob } from '../status-page/sample-job.js';
import { startStatusPage } from '../status-page/start-status-page.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const RESULTS = new URL('../test-results/', import.meta.url);
const shot = (name: string) => new URL(`status-page-${name}.png`, RESULTS).pathname;
const DAY = new Date('2025-03-01T00:00:00Z');

/** Window 0 and 12 done; windows 1 and 13 half-way through, as their progress reports say. */
function midWindow(): MemoryJob {
  const now = Date.now();
  const sample = sampleRunningJob('backfill-live', DAY, 12, new Date(now - 120_000));
  sample.job.spec.config = { batchSize: 500, rateLimit: 400, parallelism: 2, maxErrors: 50 };
  sample.emitted = [0, 1, 12, 13];
  answerWindows(sample, { completed: [0, 12] }, new Date(now - 20_000), 260);
  const status = sample.job.status!;
  const p = status.progress!;
  p.inFlight = [
    { index: 1, processedEvents: 520, activitiesGenerated: 410, errors: 2 },
    { index: 13, processedEvents: 150, activitiesGenerated: 120, errors: 1 },
  ];
  p.processedEvents += 670;
  p.activitiesGenerated += 530;
  p.errors = 43;
  p.percent = Math.floor((100 * p.processedEvents) / p.totalEvents);
  p.recent = [{ at: new Date(now - 60_000).toISOString(), processedEvents: 0 }, { at: new Date(now - 2_000).toISOString(), processedEvents: p.processedEvents }];
  status.eventsPerSecond = 287.5;
  // The estimate has just passed: the last events of the planned total are being processed.
  status.estimatedCompletionTime = new Date(now - 3_000).toISOString();
  status.policies = [
    { name: 'deployments', resourceVersion: '812' },
    { name: 'pods', resourceVersion: '815' },
    { name: 'widgets', resourceVersion: '90', skipped: 'not Ready: Ready=False (InvalidResource): kind Widget not found' },
  ];
  status.errorSamples = [
    { originId: 'a3f1c2e4-77d0-4e0b-9a51-0c8e2b1f6d10', policy: 'deployments', rule: 'scale', message: "no such key: 'replicas'", type: 'evaluation', count: 40 },
    { originId: '5b9e0d4a-1c2f-4e8b-8a7d-3f6c1e2d9b40', policy: '', rule: '', message: 'malformed row: unexpected end of input', type: 'malformed_row', count: 3 },
  ];
  return sample;
}

/** Nothing processed, and the first window dead-lettered: Failed at 0%, not at the share of windows answered. */
function deadLettered(): MemoryJob {
  const sample = sampleRunningJob('backfill-dead', DAY, 4, new Date(Date.now() - 600_000));
  const message = 'window 0 (audit, 2025-03-01T00:00:00.000Z to 2025-03-01T01:00:00.000Z) was dead-lettered after its retries: HTTP 503: ClickHouse unreachable';
  answerWindows(sample, { failed: [{ index: 0, reason: 'DeadLetter', message }] }, new Date(Date.now() - 60_000), 0);
  const status = sample.job.status!;
  status.message = `Failed: 1 of 8 windows failed (windows 0); 0 completed so far; latest: ${message}`;
  status.progress!.percent = 0;
  status.policies = [{ name: 'deployments', resourceVersion: '812' }];
  return sample;
}

function dryRun(): MemoryJob {
  const sample = sampleRunningJob('dry-march', DAY, 3, new Date(Date.now() - 30_000));
  sample.job.spec.config = { dryRun: true };
  answerWindows(sample, { completed: [0, 1, 2, 3, 4, 5] }, new Date(), 2_400);
  Object.assign(sample.job.status!, {
    phase: 'Succeeded',
    message: 'Dry run: would create 120, change 37, leave 3,044 unchanged',
    policies: [{ name: 'deployments', resourceVersion: '812' }],
    dryRunReport: {
      wouldCreate: 120, wouldChange: 37, unchanged: 3_044, wouldOrphan: 5,
      samples: { create: [], change: [{ originId: 'c0ffee00-0000-4000-8000-000000000002', policy: 'pods', storedSummary: 'bob deleted pod', newSummary: 'bob deleted pod api-7d9f' }], orphan: [] },
    },
  });
  sample.job.status!.progress!.percent = 100;
  return sample;
}

/** As the controller leaves a job whose selector matched no Ready policy: Failed at once, nothing planned. */
function matchedNothing(): MemoryJob {
  const created = new Date(Date.now() - 5_000).toISOString();
  const message = 'policySelector matched no Ready ActivityPolicy (left out: widgets: not Ready: Ready=False (InvalidResource): kind Widget not found)';
  return {
    job: {
      apiVersion: 'activity.miloapis.com/v1alpha1',
      kind: 'ReindexJob',
      metadata: { name: 'widgets-only', uid: 'uid-widgets-only', generation: 1, creationTimestamp: created },
      spec: { timeRange: { startTime: DAY.toISOString(), endTime: new Date(DAY.getTime() + 86_400_000).toISOString() }, policySelector: { matchLabels: { team: 'widgets' } } },
      status: {
        phase: 'Failed',
        message,
        completedAt: created,
        observedGeneration: 1,
        policies: [{ name: 'widgets', resourceVersion: '90', skipped: 'not Ready: Ready=False (InvalidResource): kind Widget not found' }],
        conditions: [{ type: 'Ready', status: 'False', reason: 'NoReadyPolicy', message, lastTransitionTime: created }],
      },
    },
    events: [{ type: 'Warning', reason: 'Failed', message, time: created }],
  };
}

async function open(t: { after: (fn: () => Promise<void>) => void }): Promise<{ browser: Browser; url: string }> {
  const jobs = new Map<string, MemoryJob>([midWindow(), deadLettered(), dryRun(), matchedNothing()].map((j) => [j.job.metadata.name, j]));
  const server = await startStatusPage(memoryJobSource(jobs));
  t.after(() => server.close());
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  t.after(() => browser.close());
  mkdirSync(RESULTS, { recursive: true });
  return { browser, url: server.url };
}

const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium); .ci/run installs it`;

test('the job list says why each failed job failed, and a running job past its estimate reads "finishing…"', { skip, timeout: 60_000 }, async (t) => {
  const { browser, url } = await open(t);
  const page = await browser.newPage({ viewport: { width: 1280, height: 700 } });
  await page.goto(url);
  const row = (name: string) => page.locator(`tr[data-job="${name}"]`);
  await row('backfill-live').waitFor();
  assert.match(await row('backfill-live').innerText(), /Running[\s\S]*finishing…/);
  assert.doesNotMatch(await row('backfill-live').innerText(), /in \d/);
  assert.match(await row('backfill-dead').locator('.failure-reason').innerText(), /1 of 8 windows failed .*dead-lettered after its retries/);
  assert.match(await row('backfill-dead').innerText(), /\b0%/);
  assert.match(await row('widgets-only').locator('.failure-reason').innerText(), /^policySelector matched no Ready ActivityPolicy/);
  assert.equal(await row('dry-march').locator('.failure-reason').count(), 0);
  assert.match(await row('dry-march').innerText(), /dry run[\s\S]*Succeeded/);
  await page.screenshot({ path: shot('list'), fullPage: true });
});

test('a running job mid-window: live counts, settings, the error budget, errors grouped by kind, the policies used and left out', { skip, timeout: 60_000 }, async (t) => {
  const { browser, url } = await open(t);
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await page.goto(new URL('jobs/backfill-live', url).href);
  const stats = page.locator('.head .stats');
  await stats.waitFor();
  const text = await stats.innerText();
  assert.match(text, /Events\s+1,970 \/ 18,768/);
  assert.match(text, /Rate\s+287\.5 ev\/s/);
  assert.match(text, /ETA\s+finishing…/);
  assert.match(text, /Errors\s+43 of 50 allowed/);
  assert.match(text, /Windows\s+2 \/ 24 done · 2 running/);
  assert.match(text, /Settings\s+batch 500 · 400 ev\/s limit · 2 in parallel/);
  assert.match(text, /Policies\s+deployments, pods\b/);
  assert.doesNotMatch(await page.locator('.head .policies').innerText(), /widgets|all/);
  assert.match(await page.locator('.head .skipped').innerText(), /widgets: not Ready: Ready=False \(InvalidResource\)/);
  // Two kinds of error, each once, with how many there were.
  const errors = page.locator('#errors tbody tr');
  assert.equal(await errors.count(), 2);
  assert.match(await errors.nth(0).innerText(), /CEL error\s+40\s+deployments\s+scale\s+no such key: 'replicas'/);
  assert.match(await errors.nth(1).innerText(), /Malformed row\s+3/);
  assert.equal(await page.locator('.win[data-index="1"]').getAttribute('data-state'), 'inflight');
  await page.screenshot({ path: shot('mid-window'), fullPage: true });
});

test('a job failed by a dead letter shows 0% (nothing processed) and the window failed with its reason', { skip, timeout: 60_000 }, async (t) => {
  const { browser, url } = await open(t);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(new URL('jobs/backfill-dead', url).href);
  await page.locator('[data-failed-index="0"]').waitFor();
  assert.equal(await page.locator('.percent.big').getAttribute('data-percent'), '0');
  assert.equal(await page.locator('.win[data-index="0"]').getAttribute('data-state'), 'failed');
  assert.match(await page.locator('[data-failed-index="0"]').innerText(), /dead-lettered after its retries: HTTP 503: ClickHouse unreachable/);
  assert.match(await page.locator('.head .stats').innerText(), /ETA\s+—/);
  await page.screenshot({ path: shot('dead-letter'), fullPage: true });
});

test('a dry run shows its report and settings; a job whose selector matched nothing says so and lists no policy as used', { skip, timeout: 60_000 }, async (t) => {
  const { browser, url } = await open(t);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(new URL('jobs/dry-march', url).href);
  await page.locator('#dry-run').getByText('bob deleted pod api-7d9f').waitFor();
  assert.match(await page.locator('.head .stats').innerText(), /Settings\s+batch 1,000 · 100 ev\/s limit · 4 in parallel/);
  assert.equal(await page.locator('.head .tag').innerText(), 'dry run');
  await page.screenshot({ path: shot('dry-run-settings'), fullPage: true });

  await page.goto(new URL('jobs/widgets-only', url).href);
  await page.locator('.head .message').waitFor();
  assert.match(await page.locator('.head .message').innerText(), /^policySelector matched no Ready ActivityPolicy/);
  assert.equal(await page.locator('.head dd.policies').innerText(), 'none');
  assert.match(await page.locator('.head .skipped').innerText(), /widgets: not Ready/);
  assert.match(await page.locator('#windows').innerText(), /No windows planned yet/);
  await page.screenshot({ path: shot('matched-nothing'), fullPage: true });
});
