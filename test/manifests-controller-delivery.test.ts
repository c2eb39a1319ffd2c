// The controller re-emits a window whose result is overdue after a deadline
// built from the delivery settings (controller/result-deadline.ts). Those
// settings live in the Triggers and Services; the Deployment repeats them as
// environment, so a change to one without the other fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
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

test('the result deadline is every attempt of both hops running into its timeout, plus every backoff', () => {
  const window = { retry: 6, backoffPolicy: 'exponential' as const, backoffDelay: 'PT2S', timeout: 'PT600S' };
  const result = { retry: 10, backoffPolicy: 'exponential' as const, backoffDelay: 'PT1S', timeout: 'PT60S' };
  // 7 × 600 s + 2+4+…+64 s, then 11 × 60 s + 1+2+…+512 s.
  assert.equal(resultDeadlineMs(window, result), (7 * 600 + 126 + 11 * 60 + 1023) * 1000);
  assert.equal(resultDeadlineMs({ ...window, backoffPolicy: 'linear' }, { ...result, retry: 0 }), (7 * 600 + 2 * (0 + 1 + 2 + 3 + 4 + 5) + 60) * 1000);
  assert.equal(resultDeadlineMs(window, result, 0.001), Math.round((7 * 600 + 126 + 11 * 60 + 1023) * 1000 * 0.001));
});
