// The controller re-emits a window whose result is overdue after a deadline
// built from the delivery settings (controller/result-deadline.ts). Those
// settings live in the Triggers and Services; the Deployment repeats them as
// environment, so a change to one without the other fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { WINDOW_COMPLETED, WINDOW_REQUESTED } from '../shared/contracts/cloud-event-types.js';
import { DeliveryJson, resultDeadlineMs } from '../controller/result-deadline.js';
import { knativeDeliveries } from '../local/knative-deliveries.js';
import { ROOT, loadYamlFile } from './manifests-load.js';

type Container = { name: string; env?: { name: string; value?: string }[] };

test('the controller Deployment states the delivery of window requests and results exactly as the Triggers and Services do', async () => {
  const [deployment] = loadYamlFile(join(ROOT, 'knative/controller-deployment.yaml')).filter((d) => d.kind === 'Deployment');
  const containers = (deployment as unknown as { spec: { template: { spec: { containers: Container[] } } } }).spec.template.spec.containers;
  const env = new Map(containers.flatMap((c) => c.env ?? []).map((e) => [e.name, e.value]));
  const fromManifests = await knativeDeliveries(join(ROOT, 'knative'));
  assert.deepEqual(DeliveryJson.parse(env.get('WINDOW_DELIVERY')), fromManifests.window);
  assert.deepEqual(DeliveryJson.parse(env.get('RESULT_DELIVERY')), fromManifests.result);
});

test('the result deadline is the window hop, then the longer of its dead letter and its result with the result\'s dead letter', () => {
  const window = { retry: 6, backoffPolicy: 'exponential' as const, backoffDelay: 'PT2S', timeout: 'PT600S', deadLetterTimeout: 'PT60S' };
  const result = { retry: 10, backoffPolicy: 'exponential' as const, backoffDelay: 'PT1S', timeout: 'PT60S', deadLetterTimeout: 'PT60S' };
  // Window: 7 × 600 s + 2+4+…+64 s. Its dead letter: 7 × 60 s + 126 s. Its
  // result: 11 × 60 s + 1+2+…+512 s, and the result's dead letter as long again.
  const windowHop = 7 * 600 + 126;
  const resultHop = 11 * 60 + 1023;
  assert.equal(resultDeadlineMs(window, result), (windowHop + 2 * resultHop) * 1000);
  // The shipped manifests' figure: 7,692 s, 2 h 8 min 12 s.
  assert.equal(resultDeadlineMs(window, result), 7_692_000);
  // Without the result's dead-letter sink, a window that runs out is the longer path when its dead letter outlasts the result.
  const { deadLetterTimeout: _, ...noSink } = result;
  assert.equal(resultDeadlineMs(window, noSink), (windowHop + resultHop) * 1000);
  assert.equal(resultDeadlineMs({ ...window, deadLetterTimeout: 'PT600S' }, noSink), 2 * windowHop * 1000);
  // Neither Trigger dead-letters: the window hop and the result hop.
  const { deadLetterTimeout: __, ...windowNoSink } = window;
  assert.equal(resultDeadlineMs({ ...windowNoSink, backoffPolicy: 'linear' }, { ...noSink, retry: 0 }), (7 * 600 + 2 * (0 + 1 + 2 + 3 + 4 + 5) + 60) * 1000);
  assert.equal(resultDeadlineMs(window, result, 0.001), Math.round(7_692_000 * 0.001));
});

test('the deadline the shipped manifests give the local stack covers the dead-letter hops', async () => {
  const { window, result } = await knativeDeliveries(join(ROOT, 'knative'));
  assert.equal(window.deadLetterTimeout, 'PT60S');
  assert.equal(result.deadLetterTimeout, 'PT60S');
  assert.equal(resultDeadlineMs(window, result), 7_692_000);
});

test('a Trigger without spec.delivery gets its Broker\'s delivery, as Knative gives it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'knative-deliveries-'));
  try {
    const trigger = (name: string, type: string, delivery?: object) => ({
      apiVersion: 'eventing.knative.dev/v1',
      kind: 'Trigger',
      metadata: { name },
      spec: { broker: 'b', filter: { attributes: { type } }, subscriber: { ref: { kind: 'Service', name: 'fn' } }, ...(delivery ? { delivery } : {}) },
    });
    const docs = [
      { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', metadata: { name: 'b' }, spec: { delivery: { retry: 3, backoffPolicy: 'linear', backoffDelay: 'PT5S' } } },
      { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', metadata: { name: 'other' }, spec: { delivery: { retry: 9 } } },
      { apiVersion: 'serving.knative.dev/v1', kind: 'Service', metadata: { name: 'fn' }, spec: { template: { spec: { timeoutSeconds: 120 } } } },
      trigger('windows', WINDOW_REQUESTED),
      trigger('results', WINDOW_COMPLETED, { retry: 1 }),
    ];
    writeFileSync(join(dir, 'all.yaml'), docs.map((d) => stringify(d)).join('---\n'));
    const { window, result } = await knativeDeliveries(dir);
    assert.deepEqual(window, { retry: 3, backoffPolicy: 'linear', backoffDelay: 'PT5S', timeout: 'PT120S' });
    assert.deepEqual(result, { retry: 1, backoffPolicy: 'exponential', backoffDelay: 'PT0S', timeout: 'PT120S' }, "the Trigger's own delivery replaces the Broker's whole");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
