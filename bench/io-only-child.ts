// Child process: the I/O-only path. Owns the embedded ClickHouse, reads every
// window's rows with the real reader (one page ahead, as the window function
// reads), and publishes one acknowledged activity-sized message per row,
// with the function's window parallelism and publisher limits. Prints one
// JSON line: { events, messages, elapsedMs, maxRssKb }.
import { jetstream } from '@nats-io/jetstream';
import { readWindowPages } from '../shared/clickhouse/read-window.js';
import { createClickHouseClient } from '../shared/clickhouse/create-clickhouse-client.js';
import { DEFAULT_TABLES } from '../shared/clickhouse/source-tables.js';
import type { WindowSpec } from '../shared/contracts/window-requested.js';
import { createAckedPublisher } from '../shared/nats/acked-publisher.js';
import { connectNats } from '../shared/nats/connect-nats.js';
import { readAhead } from '../functions/window/read-ahead.js';
import { runWindows } from './run-windows.js';

export interface IoOnlyParams {
  dataDir: string;
  natsUrl: string;
  windows: WindowSpec[];
  parallelism: number;
  maxInFlight: number;
  ackTimeoutMs: number;
  activityBytes: number;
  subjectPrefix: string;
}

const p = JSON.parse(process.argv[2] ?? '{}') as IoOnlyParams;
const client = createClickHouseClient({ dataDir: p.dataDir });
// The window function's connection settings (functions/window/main.ts).
const nc = await connectNats(p.natsUrl, { name: 'reindex-bench-io-only', noAsyncTraces: true });
const js = jetstream(nc);
// Printable bytes, as JSON would be; the content does not matter to the stream.
const payload = new TextEncoder().encode('x'.repeat(p.activityBytes));
try {
  // A first query outside the clock: both paths start with the engine open.
  await client.ping();
  const started = performance.now();
  let events = 0;
  let messages = 0;
  await runWindows(p.windows, p.parallelism, async (window) => {
    // The window function's publisher minus the activity: the same limits,
    // retries and ack counting over bytes encoded once.
    const publisher = createAckedPublisher(js, { maxInFlight: p.maxInFlight, ackTimeoutMs: p.ackTimeoutMs });
    const subject = `${p.subjectPrefix}.bench.${window.source}`;
    for await (const page of readAhead(readWindowPages(client, DEFAULT_TABLES, window))) {
      for (const row of page) {
        events++;
        // Unique per row: the stream must store every message, as it does activities.
        const waiting = publisher.send(subject, payload, `io-${window.index}-${row.id}-${events}`);
        if (waiting) await waiting;
      }
    }
    const counts = await publisher.flush();
    messages += counts.published + counts.duplicates;
  });
  const elapsedMs = performance.now() - started;
  process.stdout.write(`${JSON.stringify({ events, messages, elapsedMs, maxRssKb: process.resourceUsage().maxRSS })}\n`);
} finally {
  await nc.drain();
  await client.close();
}
