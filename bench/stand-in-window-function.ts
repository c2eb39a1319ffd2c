// A window function that does no work: it answers each window.requested at
// once with the window.completed the real one would send for a window that
// processed exactly its expected events. The control-plane bench times the
// controller, broker and aggregator with it, and can lose chosen results
// (a 200 with no reply, as an aggregator outage past every retry would).
import { HTTP } from 'cloudevents';
import { Hono } from 'hono';
import { WINDOW_COMPLETED, resultId } from '../shared/contracts/cloud-event-types.js';
import { windowFunctionEvent } from '../shared/contracts/window-function-event.js';
import type { WindowCompleted } from '../shared/contracts/window-completed.js';
import { WindowRequested } from '../shared/contracts/window-requested.js';
import { toCloudEvent } from '../shared/http/cloud-event-request.js';
import { signEvent } from '../shared/signing/event-signature.js';
import { serveApp, type ServedApp } from '../shared/http/serve.js';

export interface StandInOptions {
  /** Window indexes whose first result is lost. */
  loseFirstResultOf?: ReadonlySet<number>;
  /** REINDEX_SIGNING_KEY: results are signed as the window function signs them. */
  signingKey: string;
}

export interface StandInWindowFunction extends ServedApp {
  /** Requests seen per window index. */
  readonly requests: Map<number, number>;
}

export async function startStandInWindowFunction(opts: StandInOptions): Promise<StandInWindowFunction> {
  const requests = new Map<number, number>();
  const app = new Hono();
  app.post('/', async (c) => {
    const event = await toCloudEvent(c.req.raw);
    const request = WindowRequested.parse(typeof event.data === 'string' ? JSON.parse(event.data) : event.data);
    const { index, source, expectedEvents } = request.window;
    const seen = (requests.get(index) ?? 0) + 1;
    requests.set(index, seen);
    if (seen === 1 && opts.loseFirstResultOf?.has(index)) return c.body(null, 200);
    const data: WindowCompleted = {
      job: request.job,
      window: { index, source },
      processedEvents: expectedEvents,
      activitiesGenerated: expectedEvents,
      errors: 0,
      errorSamples: [],
      durationMs: 0,
    };
    const reply = HTTP.binary(
      signEvent(windowFunctionEvent(WINDOW_COMPLETED, resultId(request.job.uid, index), data), opts.signingKey),
    );
    return new Response(reply.body as string, { headers: reply.headers as Record<string, string> });
  });
  const served = await serveApp(app);
  return Object.assign(served, { requests });
}
