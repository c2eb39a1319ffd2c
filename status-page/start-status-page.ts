import { createAdaptorServer } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
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
  const hostname = options.hostname ?? '127.0.0.1';
  const server = createAdaptorServer({ fetch: createStatusPageApp(source, options).fetch, hostname });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, hostname, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = hostname.includes(':') ? `[${hostname}]` : hostname;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}/`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Open polling connections are keep-alive; drop them so close resolves.
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
