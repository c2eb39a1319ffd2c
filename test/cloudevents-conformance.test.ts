// The public CloudEvents conformance cases against every HTTP endpoint that
// takes CloudEvents: the window function, the aggregator and the local
// Broker's ingress. Valid events pass the CloudEvents checks (the ingress
// accepts them, 202; the functions go on to refuse them 401, as they carry
// no reindexsignature); invalid ones are 400 naming the attribute, and
// nothing behind the check runs.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { buildAggregatorDeps } from '../functions/aggregator/build-aggregator-deps.js';
import { createApp as createAggregatorApp } from '../functions/aggregator/app.js';
import { createApp as createWindowApp } from '../functions/window/app.js';
import type { WindowDeps } from '../functions/window/window-deps.js';
import { createIngressApp } from '../local/broker/ingress-app.js';
import { loadKubeConfig } from '../shared/kube/kube-config.js';
import { serveApp } from '../shared/http/serve.js';
import { silentLogger } from '../shared/log.js';
import { createWindowMetrics } from '../shared/metrics/window-metrics.js';
import { conformanceCases, conformanceRequest, type ConformanceCase } from './helpers/cloudevents-conformance.js';
import { TEST_SIGNING_KEY } from './window-function-fixtures.js';
import type { Hono } from 'hono';

const cases = conformanceCases();

/** Everything behind the checks: must never be reached. */
const reached: string[] = [];
const never = (what: string) => () => {
  reached.push(what);
  throw new Error(`${what} reached`);
};

function windowApp(): Hono {
  const registry = new Registry();
  const deps: WindowDeps = {
    readWindow: never('window read'),
    evaluatePool: { check: never('policy compile'), evaluate: never('policy evaluation'), close: async () => {} },
    createPublisher: never('publisher'),
    ready: async () => ({ nats: true, clickhouse: true }),
    metrics: createWindowMetrics(registry),
    registry,
    log: silentLogger,
    signingKey: TEST_SIGNING_KEY,
  };
  return createWindowApp(deps);
}

function aggregatorApp(): Hono {
  // No API server behind this address: a status read or write would fail the case.
  const deps = buildAggregatorDeps({ kubeConfig: loadKubeConfig({ url: 'http://127.0.0.1:9' }), log: silentLogger, signingKey: TEST_SIGNING_KEY });
  return createAggregatorApp(deps);
}

const accepted: string[] = [];
function ingressApp(): Hono {
  return createIngressApp({
    log: silentLogger,
    accept: (_broker, event) => {
      accepted.push(event.attributes.id ?? '');
      return 'accepted';
    },
  });
}

async function verdicts(t: TestContext, app: Hono, path: string, validStatus: number): Promise<string[]> {
  const served = await serveApp(app);
  t.after(() => served.close(0));
  const wrong: string[] = [];
  for (const c of cases) {
    const res = await fetch(`${served.url}${path}`, conformanceRequest(c));
    const body = (await res.json().catch(() => ({}))) as { error?: string; attribute?: string };
    if (!matches(c, res.status, body, validStatus)) wrong.push(`${c.name}: ${res.status} ${JSON.stringify(body)}`);
  }
  return wrong;
}

function matches(c: ConformanceCase, status: number, body: { error?: string; attribute?: string }, validStatus: number): boolean {
  if (c.valid) return status === validStatus;
  return status === 400 && body.attribute === c.attribute && (body.error ?? '').includes(`"${c.attribute}"`);
}

test('the conformance cases cover both modes, valid and invalid', () => {
  const count = (valid: boolean, mode: string) => cases.filter((c) => c.valid === valid && c.mode === mode).length;
  // valid-events.json (10) + v1_minimum.yaml (6, binary) + v1.yaml (1 + 1);
  // invalid-events.json (25 structured, 20 with a binary form) + v03_minimum.yaml (6, binary).
  assert.deepEqual(
    { validStructured: count(true, 'structured'), validBinary: count(true, 'binary'), invalidStructured: count(false, 'structured'), invalidBinary: count(false, 'binary') },
    { validStructured: 11, validBinary: 17, invalidStructured: 25, invalidBinary: 26 },
  );
});

test('the window function: valid events pass the CloudEvents checks (then 401, unsigned), invalid ones are 400 naming the attribute', async (t) => {
  reached.length = 0;
  assert.deepEqual(await verdicts(t, windowApp(), '/', 401), []);
  assert.deepEqual(reached, []);
});

test('the aggregator: valid events pass the CloudEvents checks (then 401, unsigned), invalid ones are 400 naming the attribute', async (t) => {
  assert.deepEqual(await verdicts(t, aggregatorApp(), '/', 401), []);
});

test('the Broker ingress: valid events are accepted (202), invalid ones are 400 naming the attribute and never routed', async (t) => {
  accepted.length = 0;
  assert.deepEqual(await verdicts(t, ingressApp(), '/activity-system/activity-reindex', 202), []);
  assert.equal(accepted.length, cases.filter((c) => c.valid).length);
});
