import { Hono } from 'hono';
import { limitBody } from '../shared/http/body-limit.js';
import { silentLogger, type Logger } from '../shared/log.js';
import { describeJob } from './job-detail.js';
import type { JobSource } from './job-source.js';
import { summarizeJob } from './job-summary.js';
import { RateHistory } from './rate-history.js';
import { staticAsset } from './static-asset.js';

export interface StatusPageOptions {
  log?: Logger;
  now?: () => Date;
  /** Largest accepted request body (default 1 MiB); the page takes none, but nobody may make it read one. */
  maxBodyBytes?: number;
}

// Read-only: every route is a GET, and the source is only ever read.
export function createStatusPageApp(source: JobSource, options: StatusPageOptions = {}): Hono {
  const log = options.log ?? silentLogger;
  const now = options.now ?? (() => new Date());
  const history = new RateHistory();
  const app = new Hono();
  app.use('*', limitBody(options.maxBodyBytes));

  const page = async () => (await staticAsset('index.html'))!;
  app.get('/', page);
  app.get('/jobs/:name', page);
  app.get('/assets/:file', async (c) => (await staticAsset(c.req.param('file'))) ?? c.notFound());
  app.get('/healthz', (c) => c.text('ok'));

  app.get('/api/jobs', async (c) => {
    const at = now();
    const jobs = await source.listJobs();
    for (const job of jobs) history.record(job, at);
    const newestFirst = jobs.sort((a, b) =>
      (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''),
    );
    return c.json({ now: at.toISOString(), jobs: newestFirst.map((job) => summarizeJob(job, at)) });
  });

  app.get('/api/jobs/:name', async (c) => {
    const name = c.req.param('name');
    const at = now();
    const job = await source.getJob(name);
    if (!job) return c.json({ error: `ReindexJob ${name} not found` }, 404);
    history.record(job, at);
    const [plan, events, emitted] = await Promise.all([
      source.getPlan(name),
      source.listEvents(name),
      source.listEmitted?.(name),
    ]);
    const inFlight = emitted ? new Set(emitted) : undefined;
    const detail = describeJob({ job, plan, events, inFlight, rate: history.series(name), now: at });
    return c.json({ now: at.toISOString(), job: detail });
  });

  // The page keeps showing its last data and says the source is unreachable.
  app.onError((err, c) => {
    log.warn({ err, path: c.req.path }, 'Failed to read ReindexJobs for the status page');
    return c.json({ error: `cannot read jobs: ${err.message}` }, 503);
  });
  return app;
}
