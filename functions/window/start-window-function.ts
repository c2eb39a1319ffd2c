import { serveApp, type ServedApp } from '../../shared/http/serve.js';
import { createApp } from './app.js';
import type { WindowDeps } from './window-deps.js';

/**
 * `close(graceMs)` stops taking requests and waits for the windows in
 * progress to finish, at most `graceMs` (default 30 s); the Broker
 * redelivers whatever is dropped after that.
 */
export type RunningWindowFunction = ServedApp;

/** Serves the window function on 127.0.0.1 (port 0 = any free port): for `main`, tests and the local stack. */
export function startWindowFunction(deps: WindowDeps, port = 0, hostname = '127.0.0.1'): Promise<RunningWindowFunction> {
  // A window may take minutes at a low rateLimit; node's default 5 min request timeout would cut it.
  return serveApp(createApp(deps), port, hostname, { requestTimeoutMs: 0 });
}
