// Child process: the ceiling NATS sets. Publishes `messages` acknowledged
// activity-sized messages, nothing read and nothing evaluated, from
// `parallelism` publishers at once with the window function's limits (one
// per window in flight). Prints one JSON line: { messages, elapsedMs }.
import { jetstream } from '@nats-io/jetstream';
import { createAckedPublisher } from '../shared/nats/acked-publisher.js';
import { connectNats } from '../shared/nats/connect-nats.js';

export interface PublishOnlyParams {
  natsUrl: string;
  messages: number;
  parallelism: number;
  maxInFlight: number;
  ackTimeoutMs: number;
  activityBytes: number;
  subjectPrefix: string;
}

const p = JSON.parse(process.argv[2] ?? '{}') as PublishOnlyParams;
const nc = await connectNats(p.natsUrl, { name: 'reindex-bench-publish-only', noAsyncTraces: true });
const js = jetstream(nc);
const payload = new TextEncoder().encode('x'.repeat(p.activityBytes));
try {
  const started = performance.now();
  let acked = 0;
  await Promise.all(
    Array.from({ length: p.parallelism }, async (_, lane) => {
      const publisher = createAckedPublisher(js, { maxInFlight: p.maxInFlight, ackTimeoutMs: p.ackTimeoutMs });
      const subject = `${p.subjectPrefix}.bench.publish-only`;
      for (let i = lane; i < p.messages; i += p.parallelism) {
        // Unique: the stream stores every one, as it does activities.
        const waiting = publisher.send(subject, payload, `publish-only-${i}`);
        if (waiting) await waiting;
      }
      const counts = await publisher.flush();
      acked += counts.published + counts.duplicates;
    }),
  );
  const elapsedMs = performance.now() - started;
  process.stdout.write(`${JSON.stringify({ messages: acked, elapsedMs })}\n`);
} finally {
  await nc.drain();
}
