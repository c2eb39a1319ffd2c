// A real nats-server killed and restarted mid-job (issue 19): the same job
// counts and exactly the same rows in audit.activities FINAL as a run
// without the fault on the same data.
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { DEFAULT_STREAM } from '../../shared/nats/stream-config.js';
import { assertSameAsBaseline, PACED, faultScenario } from './fault-harness.js';

const scenario = faultScenario({}, PACED);

test('nats-server killed and restarted mid-job: same counts, same rows', async () => {
  const { h, baseline } = scenario;
  const jsm = await jetstreamManager(h.stack.nc!);
  const published = (await jsm.streams.info(DEFAULT_STREAM)).state.messages;
  const running = h.run('nats-restart', PACED);
  await h.waitFor('the job to publish', async () => (await jsm.streams.info(DEFAULT_STREAM)).state.messages > published + 100);
  await h.nats.stop();
  await delay(700);
  await h.nats.restart();
  assertSameAsBaseline(await running, baseline);
});
