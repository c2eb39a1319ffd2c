// The status page over a REAL running local job (issue 10 "Must show"): demo
// data in embedded ClickHouse, the local stack (Kubernetes API stand-in,
// controller, broker routing by knative/triggers.yaml, window function,
// aggregator, nats-server, status page reading through the Kubernetes API),
// and headless Chromium watching the job's page. Nothing is faked: windows
// turn done because the window function processed them, and the failed
// window failed because the broker ran out of retries against a dead
// function and dead-lettered it to the aggregator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { chromium, type Page } from 'playwright-core';
import { GROUP, REINDEXJOB_PLURAL, type ReindexJob } from '../shared/api/reindex-job.js';
import { createClickHouseClient } from '../shared/clickhouse/create-clickhouse-client.js';
import { DEFAULT_TABLES } from '../shared/clickhouse/source-tables.js';
import { sourceTimeSpan } from '../shared/clickhouse/source-time-span.js';
import { demoPolicies } from '../shared/demo/demo-policies.js';
import { loadDemoData } from '../shared/demo/load-demo-data.js';
import { silentLogger } from '../shared/log.js';
import { runMigrations } from '../migrations/run-migrations.js';
import { startLocalStack, type LocalStack } from '../local/local-stack.js';
import { runLocalJob } from '../local/run-local-job.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SCREENSHOT = new URL('../test-results/status-page-local.png', import.meta.url).pathname;
// --failed in status-page/assets/style.css
const FAILED_COLOUR = 'rgb(212, 42, 32)';
// The controller packs about batchSize × 10 events into a window, and
// batchSize is at least 100: 12,000 events make a dozen windows or more.
const EVENTS = 12_000;
const JOB = 'watched-backfill';
// One window at a time at 800 events/s: about 1.3 s a window, so the page
// sees windows finish one by one and the failure hits exactly one window.
const CONFIG = { batchSize: 100, rateLimit: 800, parallelism: 1 };
// The Trigger's backoff is PT2S doubling, 6 retries (about two minutes);
// scaled it is 20 ms doubling, about 1.3 s until the dead letter.
const RETRY_DELAY_SCALE = 0.01;

const jobOf = (stack: LocalStack) => stack.kube.getObject(GROUP, REINDEXJOB_PLURAL, JOB) as ReindexJob | undefined;
const percentShown = (page: Page) => page.locator('.percent.big').getAttribute('data-percent').then(Number);
const doneShown = (page: Page) => page.locator('.win[data-state="done"]').count();

async function until<T>(what: string, ms: number, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    assert.ok(Date.now() < deadline, `${what} within ${ms} ms`);
    await delay(50);
  }
}

test('the page follows a running local job: windows turn done, the percent rises, a dead-lettered window shows failed with its reason', {
  skip: existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium); .ci/run installs it`,
  timeout: 90_000,
}, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'reindex-status-local-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const clickhouse = createClickHouseClient({ dataDir: join(dir, 'chdb') });
  t.after(() => clickhouse.close());
  await runMigrations(clickhouse);
  // Recent data: a job's start may be no older than the 60-day retention.
  await loadDemoData(clickhouse, DEFAULT_TABLES, { events: EVENTS, days: 1, now: new Date(), seed: 10 });
  const span = await sourceTimeSpan(clickhouse, DEFAULT_TABLES);
  assert.ok(span, 'demo data loaded');
  const timeRange = { startTime: span.first, endTime: new Date(Date.parse(span.last) + 1).toISOString() };

  const stack = await startLocalStack({ clickhouse, tables: DEFAULT_TABLES, log: silentLogger, retryDelayScale: RETRY_DELAY_SCALE });
  t.after(() => stack.close());
  assert.ok(stack.statusPage, 'the local stack serves the status page');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });

  const running = runLocalJob(stack, { name: JOB, spec: { timeRange, config: CONFIG }, policies: demoPolicies, pollMs: 50 });
  // Settled here so a failure below does not leave an unhandled rejection behind.
  running.catch(() => undefined);

  // The list shows the job as the controller created it; its link opens the job.
  await page.goto(stack.statusPage.url);
  const row = page.locator(`tr[data-job="${JOB}"]`);
  await row.waitFor({ timeout: 15_000 });
  await row.getByRole('link', { name: JOB }).click();
  await page.waitForURL(new RegExp(`/jobs/${JOB}$`));
  await page.locator('.win[data-index="0"]').waitFor({ timeout: 15_000 });
  await page.evaluate(() => Object.assign(window, { sameDocument: true }));
  const total = (await until('the job planned', 10_000, () => jobOf(stack)?.status?.windows?.total)) ?? 0;
  assert.ok(total >= 10, `the job spans at least 10 windows (${total})`);
  assert.equal(await page.locator('.win').count(), total, 'every planned window is drawn');

  // Windows turn done as the window function answers, and the percent follows.
  await page.waitForFunction(() => document.querySelectorAll('.win[data-state="done"]').length >= 2, undefined, { timeout: 20_000 });
  const percentBefore = await percentShown(page);
  const doneBefore = await doneShown(page);
  await page.waitForFunction((n) => document.querySelectorAll('.win[data-state="done"]').length > n + 1, doneBefore, { timeout: 20_000 });
  const percentAfter = await percentShown(page);
  assert.ok(percentAfter > percentBefore, `the percent rose (${percentBefore}% → ${percentAfter}%)`);
  assert.ok(percentAfter < 100, 'the job is still running');
  mkdirSync(new URL('../test-results/', import.meta.url), { recursive: true });
  await page.screenshot({ path: SCREENSHOT.replace('.png', '-running.png'), fullPage: true });

  // The window function dies with a window in flight (or about to be
  // emitted): every delivery is refused until the broker dead-letters the
  // window to the aggregator, which marks it failed. Then it comes back.
  const doneWhenKilled = jobOf(stack)?.status?.windows?.completed ?? 0;
  await stack.stopWindowFunction();
  const failedRanges = await until('the dead letter marked a window failed', 15_000, () => jobOf(stack)?.status?.windows?.failedRanges || undefined);
  await stack.startWindowFunction();
  const failedIndex = Number(failedRanges);
  assert.equal(String(failedIndex), failedRanges, 'with one window in flight, exactly one window failed');
  // Counted once the aggregator has answered, so possibly just after the status changed.
  await until('the broker counted the dead letter', 5_000, () => stack.broker.stats.deadLettered === 1 || undefined);
  assert.ok(stack.broker.stats.retried >= 6, 'every retry went to the dead function first');

  // The job ends Failed naming that window; windows done before stay done.
  const job = await running;
  assert.equal(job.status?.phase, 'Failed', job.status?.message);
  assert.match(job.status?.message ?? '', new RegExp(`window ${failedIndex} \\(.*\\) was dead-lettered after its retries`));
  assert.equal(job.status?.windows?.failed, 1);
  assert.ok((job.status?.windows?.completed ?? 0) >= doneWhenKilled);

  const failed = page.locator(`.win[data-index="${failedIndex}"]`);
  await page.waitForFunction((i) => document.querySelector(`.win[data-index="${i}"]`)?.getAttribute('data-state') === 'failed', failedIndex, { timeout: 10_000 });
  assert.equal(await failed.evaluate((el) => getComputedStyle(el).backgroundColor), FAILED_COLOUR);
  assert.match((await failed.getAttribute('aria-label'))!, /Failed: .*dead-lettered after its retries/);
  await page.locator(`[data-failed-index="${failedIndex}"]`).getByText(/dead-lettered after its retries/).waitFor({ timeout: 10_000 });
  assert.match(await page.locator(`[data-failed-index="${failedIndex}"]`).innerText(), new RegExp(`Window ${failedIndex}.*dead-lettered after its retries`, 's'));
  await page.waitForFunction((n) => document.querySelectorAll('.win[data-state="done"]').length === n, job.status?.windows?.completed, { timeout: 10_000 });
  assert.equal(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument), true, 'no full reload');
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  t.diagnostic(`screenshot: ${SCREENSHOT}`);
});
