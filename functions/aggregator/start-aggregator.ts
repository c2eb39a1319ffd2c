import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { createApp } from './app.js';
import type { AggregatorDeps } from './aggregator-deps.js';

export interface RunningAggregator {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serves the aggregator on 127.0.0.1 (port 0 = any free port): for `main`, tests and the local stack. */
export async function startAggregator(deps: AggregatorDeps, port = 0, hostname = '127.0.0.1'): Promise<RunningAggregator> {
  const server = createAdaptorServer({ fetch: createApp(deps).fetch }) as Server;
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
    close() {
      closing ??= new Promise<void>((done) => {
        server.close(() => done());
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
