import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';

export interface ServeOptions {
  /**
   * Node's per-request timeout in ms; 0 = none. Node's default (5 min)
   * stays unless set: the window function sets 0, since a window at a low
   * rateLimit may take longer than that.
   */
  requestTimeoutMs?: number;
  /** Grace for requests in progress when close() is called without one; default 30 s. */
  graceMs?: number;
}

export interface ServedApp {
  /** `http://host:port`, no trailing slash; a wildcard address is reported as 127.0.0.1. */
  url: string;
  port: number;
  /**
   * Stops taking connections, drops idle keep-alive ones, and waits for the
   * requests in progress at most `graceMs` before dropping them too (their
   * senders retry). Calling it again returns the same promise.
   */
  close(graceMs?: number): Promise<void>;
}

/** Serves a Hono app on `hostname:port` (port 0 = any free port): for each `main`, tests and the local stack. */
export async function serveApp(app: Hono, port = 0, hostname = '127.0.0.1', opts: ServeOptions = {}): Promise<ServedApp> {
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  if (opts.requestTimeoutMs !== undefined) server.requestTimeout = opts.requestTimeoutMs;
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
    url: `http://${urlHost(hostname)}:${bound}`,
    port: bound,
    close(graceMs = opts.graceMs ?? 30_000) {
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

/** A wildcard address is not somewhere to send requests; an IPv6 literal needs brackets in a URL. */
function urlHost(hostname: string): string {
  if (hostname === '0.0.0.0' || hostname === '::') return '127.0.0.1';
  return hostname.includes(':') ? `[${hostname}]` : hostname;
}
