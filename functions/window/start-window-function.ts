import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { createApp } from './app.js';
import type { WindowDeps } from './window-deps.js';

export interface RunningWindowFunction {
  url: string;
  port: number;
  /**
   * Stops taking requests and waits for the windows in progress to finish,
   * at most `graceMs` (default 30 s); then drops what is left, whose windows
   * the Broker will redeliver.
   */
  close(graceMs?: number): Promise<void>;
}

/** Serves the window function on 127.0.0.1 (port 0 = any free port): for `main`, tests and the local stack. */
export async function startWindowFunction(deps: WindowDeps, port = 0, hostname = '127.0.0.1'): Promise<RunningWindowFunction> {
  const server = createAdaptorServer({ fetch: createApp(deps).fetch }) as Server;
  // A window may take minutes at a low rateLimit; node's default 5 min request timeout would cut it.
  server.requestTimeout = 0;
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, hostname, () => {
      server.off('error', fail);
      ok();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${hostname}:${bound}`,
    port: bound,
    close(graceMs = 30_000) {
      closing ??= new Promise<void>((done) => {
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close(() => {
          clearTimeout(timer);
          done();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
