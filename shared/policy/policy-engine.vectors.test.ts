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
  expected: { outcome: 'published' | 'skipped' | 'no-rule-matched'; rule?: string; activity?: unknown };
}

const vectors: Vector[] = JSON.parse(readFileSync(new URL('../../test/fixtures/activity-vectors.json', import.meta.url), 'utf8'));
const OUTCOMES = { published: 'activity', skipped: 'skipped', 'no-rule-matched': 'no-match' } as const;

for (const v of vectors) {
  test(`vector ${v.name}: gives the live processor's result`, () => {
    const engine = compilePolicies([v.policy], v.discovery);
    const got = engine.evaluate(v.input_kind, v.input);
    assert.equal(got.outcome, OUTCOMES[v.expected.outcome]);
    assert.deepEqual(got.errors, []);
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
