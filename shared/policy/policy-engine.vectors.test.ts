import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { ActivityPolicy } from '../api/activity-policy.js';
import type { InputKind } from './evaluation-outcome.js';
import { compilePolicies } from './policy-engine.js';

interface Vector {
  name: string;
  policy: ActivityPolicy;
  input_kind: InputKind;
  input: unknown;
  discovery: Record<string, string>;
  /** `errors`: how many errors the input counts (absent: none). */
  expected: { outcome: 'published' | 'skipped' | 'no-rule-matched' | 'error'; errors?: number; rule?: string; activity?: unknown };
}

const read = (file: string): Vector[] => JSON.parse(readFileSync(new URL(`../../test/fixtures/${file}`, import.meta.url), 'utf8'));
// The handoff's set, kept as it came, and ours for the rules of ACTIVITY-FORMAT.md §6.
const vectors = read('activity-vectors.json');
const liveRules = read('activity-vectors-live-rules.json');
const OUTCOMES = { published: 'activity', skipped: 'skipped', 'no-rule-matched': 'no-match', error: 'error' } as const;

for (const v of [...vectors, ...liveRules]) {
  test(`vector ${v.name}: gives the live processor's result`, () => {
    const engine = compilePolicies([v.policy], v.discovery);
    const got = engine.evaluate(v.input_kind, v.input);
    assert.equal(got.outcome, OUTCOMES[v.expected.outcome]);
    assert.equal(got.errors.length, v.expected.errors ?? 0, JSON.stringify(got.errors));
    if (got.outcome === 'activity') {
      assert.equal(got.rule, v.expected.rule);
      assert.equal(got.policy, v.policy.metadata.name);
      assert.deepEqual(got.activity, v.expected.activity);
    }
  });
}

test('vectors: the fixture covers every case of the handoff file', () => {
  assert.ok(vectors.length >= 21);
});

test('vectors: the §6 set has a federated Event with all four source annotations, one with some, and each error rule', () => {
  const annotated = liveRules.map((v) => Object.keys(((v.input as { metadata?: { annotations?: object } }).metadata?.annotations ?? {})).length);
  assert.ok(annotated.includes(4) && annotated.some((n) => n > 0 && n < 4));
  assert.ok(liveRules.filter((v) => v.expected.outcome === 'error').length >= 2);
});
