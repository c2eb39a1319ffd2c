import { demoPolicies } from '../shared/demo/demo-policies.js';
import { demoRows } from '../shared/demo/demo-rows.js';
import { compilePolicies } from '../shared/policy/policy-engine.js';

/**
 * The mean JSON size of the activities the demo policies make from the first
 * `sample` demo rows: the payload the I/O-only path publishes, so both paths
 * move messages of the same size.
 */
export function meanActivityBytes(sample = 2_000, seed = 42): number {
  const engine = compilePolicies(demoPolicies);
  let bytes = 0;
  let activities = 0;
  for (const row of demoRows({ events: sample, days: 7, now: new Date('2025-03-01T00:00:00.000Z'), seed })) {
    let input: unknown;
    try {
      input = JSON.parse(row.json);
    } catch {
      continue;
    }
    const result = engine.evaluate(row.source, input);
    if (result.outcome !== 'activity') continue;
    bytes += Buffer.byteLength(JSON.stringify(result.activity));
    activities++;
  }
  if (activities === 0) throw new Error('the demo policies made no activity from the demo rows');
  return Math.round(bytes / activities);
}
