import { serveApp } from '../shared/http/serve.js';
import { createStatusPageApp, type StatusPageOptions } from './app.js';
import type { JobSource } from './job-source.js';

export interface RunningStatusPage {
  url: string;
  close(): Promise<void>;
}

/** Serves the page on 127.0.0.1 (port 0 picks a free one) and returns its URL. */
export async function startStatusPage(
  source: JobSource,
  port = 0,
  options: StatusPageOptions & { hostname?: string } = {},
): Promise<RunningStatusPage> {
  const served = await serveApp(createStatusPageApp(source, options), port, options.hostname ?? '127.0.0.1');
  return {
    url: `${served.url}/`,
    // Browsers keep polling connections open; no grace, so close resolves at once.
    close: () => served.close(0),
  };
}
