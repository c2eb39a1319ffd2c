import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Page } from 'playwright-core';
import { memoryJobSource } from '../status-page/memory-job-source.js';
import { answerWindows, sampleRunningJob } from '../status-page/sample-job.js';
import { startStatusPage } from '../status-page/start-status-page.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SCREENSHOT = new URL('../test-results/status-page.png', import.meta.url).pathname;
// --failed in status-page/assets/style.css
const FAILED_COLOUR = 'rgb(212, 42, 32)';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentShown = (page: Page) => page.locator('.percent.big').getAttribute('data-percent').then(Number);
const stateOf = (page: Page, index: number) => page.locator(`.win[data-index="${index}"]`).getAttribute('data-state');

test('the page shows a running job fill in, window by window, and a failed window with its reason', {
  skip: existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium); .ci/run installs it`,
  timeout: 120_000,
}, async (t) => {
  // A 12-hour range: windows 0-11 read audit logs, 12-23 Kubernetes Events.
  const started = new Date(Date.now() - 95_000);
  const sample = sampleRunningJob('backfill-march', new Date('2025-03-01T00:00:00Z'), 12, started);
  sample.job.spec.config = { batchSize: 1000, rateLimit: 2000, parallelism: 4 };
  sample.job.status!.policies = [{ name: 'deployments', resourceVersion: '812' }, { name: 'pods', resourceVersion: '815' }];
  sample.emitted = [0, 1, 12, 13];
  const source = memoryJobSource(new Map([['backfill-march', sample]]));
  const server = await startStatusPage(source);
  t.after(() => server.close());
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });

  // The list first: the job is there with its phase, and links to its page.
  await page.goto(server.url);
  const row = page.locator('tr[data-job="backfill-march"]');
  await row.waitFor();
  assert.match(await row.innerText(), /Running/);
  await row.getByRole('link', { name: 'backfill-march' }).click();
  await page.waitForURL(/\/jobs\/backfill-march$/);
  await page.locator('.win[data-index="0"]').waitFor();
  // Marks this document: a full reload would lose it.
  await page.evaluate(() => Object.assign(window, { sameDocument: true }));
  assert.equal(await stateOf(page, 0), 'inflight');
  assert.equal(await stateOf(page, 5), 'pending');
  const before = await percentShown(page);

  // The job moves on in steps, as the aggregator would fold results in.
  const steps: number[][] = [[0, 12], [1, 13, 2], [3, 14, 15], [4, 5, 16]];
  for (const [i, completed] of steps.entries()) {
    sample.emitted = [...new Set([...sample.emitted!, ...completed, ...completed.map((n) => n + 2)])];
    answerWindows(sample, { completed }, new Date(), 900 + 350 * i);
    await pause(1_100);
  }
  await page.waitForFunction(() => document.querySelector('.win[data-index="5"]')?.getAttribute('data-state') === 'done');
  assert.ok((await percentShown(page)) > before, 'the percent rose');
  assert.equal(await stateOf(page, 16), 'done');
  assert.equal(await stateOf(page, 6), 'inflight');
  mkdirSync(new URL('../test-results/', import.meta.url), { recursive: true });
  await page.screenshot({ path: SCREENSHOT.replace('.png', '-running.png'), fullPage: true });

  sample.job.status!.progress!.errors = 3;
  sample.job.status!.errorSamples = [
    { originId: 'a3f1c2e4-77d0-4e0b-9a51-0c8e2b1f6d10', policy: 'deployments', rule: 'scale', message: "no such key: 'replicas'" },
    { originId: '5b9e0d4a-1c2f-4e8b-8a7d-3f6c1e2d9b40', policy: 'pods', rule: 'delete', message: 'malformed event_json: unexpected end of input' },
  ];
  sample.job.status!.conditions!.push({ type: 'AuditLogsProcessed', status: 'False', reason: 'InProgress', message: '6 of 12 audit windows', lastTransitionTime: started.toISOString() });
  answerWindows(sample, { failed: [{ index: 6, reason: 'DeadLetter', message: 'ClickHouse unreachable after 5 retries' }] }, new Date(), 1_650);
  await page.waitForFunction(() => document.querySelector('.win[data-index="6"]')?.getAttribute('data-state') === 'failed');
  const failed = page.locator('.win[data-index="6"]');
  assert.equal(await failed.evaluate((el) => getComputedStyle(el).backgroundColor), FAILED_COLOUR);
  assert.match((await failed.getAttribute('aria-label'))!, /Failed: .*ClickHouse unreachable after 5 retries/);
  assert.match(await page.locator('[data-failed-index="6"]').innerText(), /Window 6.*ClickHouse unreachable after 5 retries/);
  await page.locator('#errors').getByText("no such key: 'replicas'").waitFor();

  // Keyboard: one tab stop per strip, arrows walk the windows, and the
  // focused window is described in text.
  await page.locator('.win[data-index="0"]').focus();
  for (let i = 0; i < 6; i++) await page.keyboard.press('ArrowRight');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-index')), '6');
  assert.match(await page.locator('.window-detail').innerText(), /Window 6 · Audit logs .* Failed: .*ClickHouse unreachable/);
  assert.equal(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument), true, 'no full reload');

  await pause(1_100); // one more poll, so the focused window survives a refresh
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-index')), '6');
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  t.diagnostic(`screenshot: ${SCREENSHOT}`);

  // Back on the list, the job's row carries the same percent.
  await page.getByRole('link', { name: 'All jobs' }).click();
  await row.waitFor();
  assert.match(await row.innerText(), new RegExp(`${sample.job.status!.progress!.percent}%`));
  await page.screenshot({ path: SCREENSHOT.replace('.png', '-list.png') });
});

test('the page shows the dry-run report of a finished dry run', {
  skip: existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium); .ci/run installs it`,
  timeout: 60_000,
}, async (t) => {
  const sample = sampleRunningJob('dry-march', new Date('2025-03-01T00:00:00Z'), 3, new Date(Date.now() - 30_000));
  sample.job.spec.config = { dryRun: true };
  answerWindows(sample, { completed: [0, 1, 2, 3, 4, 5] }, new Date(), 2_400);
  Object.assign(sample.job.status!, {
    phase: 'Succeeded',
    message: 'Processed 4,002 events into 3,201 activities in 6 windows',
    dryRunReport: {
      wouldCreate: 120, wouldChange: 37, unchanged: 3_044, wouldOrphan: 5,
      samples: {
        create: [{ originId: 'c0ffee00-0000-4000-8000-000000000001', policy: 'deployments', newSummary: 'alice scaled deployment web to 3 replicas' }],
        change: [{ originId: 'c0ffee00-0000-4000-8000-000000000002', policy: 'pods', storedSummary: 'bob deleted pod', newSummary: 'bob deleted pod api-7d9f' }],
        orphan: [{ originId: 'c0ffee00-0000-4000-8000-000000000003', storedSummary: 'carol patched configmap settings' }],
      },
    },
  });
  const server = await startStatusPage(memoryJobSource(new Map([['dry-march', sample]])));
  t.after(() => server.close());
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(new URL('jobs/dry-march', server.url).href);
  const report = page.locator('#dry-run');
  await report.getByText('bob deleted pod api-7d9f').waitFor();
  assert.match(await report.innerText(), /Would change\s+37/);
  assert.equal(await percentShown(page), 100);
  await report.screenshot({ path: SCREENSHOT.replace('.png', '-dry-run.png') });
});
