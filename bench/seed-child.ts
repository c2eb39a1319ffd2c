// Child process: owns the embedded ClickHouse while it seeds and plans, then
// exits so the next child can bind the same data directory (chDB binds one
// directory per process). Prints one JSON line: SeededData + activityBytes.
import { createClickHouseClient } from '../shared/clickhouse/create-clickhouse-client.js';
import { meanActivityBytes } from './mean-activity-bytes.js';
import { seedBenchData } from './seed-bench-data.js';

const { dataDir, events, targetEvents, auditEventBytes } = JSON.parse(process.argv[2] ?? '{}') as {
  dataDir: string;
  events: number;
  targetEvents: number;
  auditEventBytes?: number;
};
const client = createClickHouseClient({ dataDir });
try {
  const seeded = await seedBenchData(client, { events, targetEvents, auditEventBytes });
  process.stdout.write(`${JSON.stringify({ ...seeded, activityBytes: meanActivityBytes() })}\n`);
} finally {
  await client.close();
}
