// A stand-in for the Knative Broker in controller tests: it records every
// window event the controller emits (with its arrival time), answers 202,
// then delivers it to the window function and the reply to the aggregator,
// as the Broker's triggers would. It can be told to fail a window (every
// retry fails, then the dead letter goes to the aggregator, as Knative does),
// to deliver results twice, to hold deliveries, or to refuse emissions.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WindowRequested } from '../../shared/contracts/window-requested.js';

export interface RecordedWindow {
  id: string;
  job: string;
  index: number;
  /** Arrival time, epoch ms. */
  at: number;
  rateLimit: number;
  data: WindowRequested;
}

export interface RecordingBrokerOptions {
  /** The window function (trigger on window.requested). */
  windowUrl: string;
  /** The aggregator (trigger on results, and the dead-letter sink). */
  aggregatorUrl: string;
  /** Redeliveries to the window function before the dead letter. */
  retries?: number;
}

export interface RecordingBroker {
  url: string;
  emitted: RecordedWindow[];
  /** When each refused emission arrived (epoch ms). */
  rejected: number[];
  /** Emitted windows of one job, by index. */
  indexes(job: string): number[];
  /** Every delivery of this window fails with 500, so it ends as a dead letter. */
  failWindow(job: string, index: number): void;
  deliverResultsTwice(on: boolean): void;
  /** Keep accepting emissions but deliver nothing until release(). */
  hold(): void;
  release(): void;
  /** Answer 500 to the next `count` emissions (they are not recorded). */
  rejectNext(count: number): void;
  /** Resolves when every accepted event has been delivered. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export async function startRecordingBroker(options: RecordingBrokerOptions): Promise<RecordingBroker> {
  const emitted: RecordedWindow[] = [];
  const rejected: number[] = [];
  const failing = new Set<string>();
  const inFlight = new Set<Promise<void>>();
  let held: (() => void)[] | undefined;
  let twice = false;
  let reject = 0;

  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    if (reject > 0) {
      reject--;
      rejected.push(Date.now());
      res.writeHead(500).end('rejected by the test');
      return;
    }
    const headers = ceHeaders(req);
    const data = WindowRequested.parse(JSON.parse(body.toString('utf8')));
    emitted.push({ id: headers['ce-id'], job: data.job.name, index: data.window.index, at: Date.now(), rateLimit: data.rateLimit, data });
    res.writeHead(202).end();
    const delivery = (async () => {
      if (held) await new Promise<void>((go) => held!.push(go));
      await deliver(headers, body, failing.has(`${data.job.name}/${data.window.index}`));
    })().catch(() => undefined);
    inFlight.add(delivery);
    void delivery.finally(() => inFlight.delete(delivery));
  });

  async function deliver(headers: Record<string, string>, body: Buffer, fail: boolean): Promise<void> {
    let status = 500;
    let errorBody = 'failed by the test';
    for (let attempt = 0; attempt <= (options.retries ?? 2); attempt++) {
      if (!fail) {
        const res = await fetch(options.windowUrl, { method: 'POST', headers, body: new Uint8Array(body) });
        const replyBody = Buffer.from(await res.arrayBuffer());
        if (res.ok) {
          const reply = Object.fromEntries([...res.headers].filter(([k]) => k.startsWith('ce-') || k === 'content-type'));
          if (!reply['ce-id']) return; // no reply event
          for (let n = twice ? 2 : 1; n > 0; n--) await post(options.aggregatorUrl, reply, replyBody);
          return;
        }
        status = res.status;
        errorBody = replyBody.toString('utf8');
      }
      await new Promise((ok) => setTimeout(ok, 20 * 2 ** attempt));
    }
    await post(options.aggregatorUrl, {
      ...headers,
      'ce-knativeerrordest': options.windowUrl,
      'ce-knativeerrorcode': String(status),
      'ce-knativeerrordata': Buffer.from(errorBody).toString('base64'),
    }, body);
  }

  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    emitted,
    rejected,
    indexes: (job) => emitted.filter((e) => e.job === job).map((e) => e.index),
    failWindow: (job, index) => void failing.add(`${job}/${index}`),
    deliverResultsTwice: (on) => void (twice = on),
    hold: () => void (held ??= []),
    release: () => {
      const waiting = held ?? [];
      held = undefined;
      for (const go of waiting) go();
    },
    rejectNext: (count) => void (reject = count),
    async idle() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    async close() {
      const closed = new Promise<void>((ok) => server.close(() => ok()));
      server.closeAllConnections();
      await closed;
    },
  };
}

async function post(url: string, headers: Record<string, string>, body: Buffer): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers, body: new Uint8Array(body) });
  await res.arrayBuffer();
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function ceHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if ((name.startsWith('ce-') || name === 'content-type') && typeof value === 'string') out[name] = value;
  }
  return out;
}
