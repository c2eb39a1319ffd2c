// The controller killed between emitting a window and recording the
// emission (issue 19), then a fresh controller started: the job completes
// with the same counts and exactly the same rows in audit.activities FINAL
// as a run without the fault on the same data.
//
// The controller emits a pass's windows and then writes the emission record
// ConfigMap (controller/reconcile.ts): this controller's kubeConfig (its own
// dependency, nothing in what a cluster runs) fails that write as a process
// killed right there would leave it, never written, and the controller is
// stopped. The fresh controller reads the plan and the last record written
// back from the API: the window the dead one sent but never recorded is
// emitted again while its first run is still going, and both runs report.
// Why it would fail without what it protects: without deduplication the
// window's second result counts again (tried: with the aggregator's
// completedRanges check off, the duplicate result finished the job one
// window early, at 1,504 of 2,000 events); a fresh controller
// that did not resume from the record written before the kill would emit the
// windows recorded there again too (the once-only check below); and one that
// lost the unrecorded window would leave the job waiting for a result
// deadline (the re-emission check below, and the job's timeout).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeConfig } from '@kubernetes/client-node';
import { emissionConfigMapName } from '../../controller/plan-store.js';
import { WINDOW_REQUESTED } from '../../shared/contracts/cloud-event-types.js';
import { assertSameAsBaseline, PACED, faultScenario } from './fault-harness.js';

const JOB = 'controller-restart';
/** The controller dies at its second record write: the first stands, and a window is emitted but never recorded. */
const KILLED_AT_WRITE = 2;

type RequestContext = Parameters<KubeConfig['applySecurityAuthentication']>[0];

/** A controller's view of the API that ends, as its process would, at the chosen emission record write. */
class KilledBeforeRecording extends KubeConfig {
  writes = 0;
  dead = false;
  killed: Promise<void>;
  private kill!: () => void;

  constructor(from: KubeConfig) {
    super();
    this.loadFromString(from.exportConfig());
    this.killed = new Promise((ok) => (this.kill = ok));
  }

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    if (this.dead) throw new Error('controller process killed');
    const body = context.getBody();
    const record = /\/configmaps/.test(context.getUrl()) && ['POST', 'PUT'].includes(context.getHttpMethod()) && typeof body === 'string' && body.includes(`"${emissionConfigMapName(JOB)}"`);
    if (record && ++this.writes === KILLED_AT_WRITE) {
      this.dead = true;
      this.kill();
      throw new Error('controller process killed before recording the emission');
    }
    return super.applySecurityAuthentication(context);
  }
}

const scenario = faultScenario({}, PACED);

test('controller killed between emitting a window and recording it, a fresh one started: same counts, same rows', async () => {
  const { h, baseline } = scenario;
  const kubeConfig = new KilledBeforeRecording(h.stack.kubeConfig);
  // Window events the controllers posted to the Broker, by id: before the
  // kill with how many record writes had gone before, and after the restart.
  const postedBefore = new Map<string, number>();
  const postedAfter = new Map<string, number>();
  let restarted = false;
  h.ingressProxy.onRequest = (headers) => {
    if (headers['ce-type'] !== WINDOW_REQUESTED) return;
    const id = String(headers['ce-id']);
    if (restarted) postedAfter.set(id, (postedAfter.get(id) ?? 0) + 1);
    else if (!postedBefore.has(id)) postedBefore.set(id, kubeConfig.writes);
  };
  await h.stack.restartController({ kubeConfig });
  try {
    const running = h.run(JOB, PACED);
    await Promise.race([kubeConfig.killed, running]);
    assert.ok(kubeConfig.dead, 'the controller was killed before the job ended');
    restarted = true;
    await h.stack.restartController();
    const run = await running;
    assertSameAsBaseline(run, baseline);

    // Emitted in the pass whose record was never written, and in those recorded before it.
    const unrecorded = [...postedBefore].filter(([, writes]) => writes === KILLED_AT_WRITE - 1).map(([id]) => id);
    const recorded = [...postedBefore].filter(([, writes]) => writes < KILLED_AT_WRITE - 1).map(([id]) => id);
    assert.ok(unrecorded.length > 0 && recorded.length > 0, `emitted before the kill: ${JSON.stringify([...postedBefore])}`);
    // The unrecorded windows go again, once each...
    for (const id of unrecorded) assert.equal(postedAfter.get(id), 1, `${id} emitted again after the restart`);
    // ...and the recorded ones do not.
    for (const id of recorded) assert.equal(postedAfter.has(id), false, `${id} was recorded and must not go again`);
    assert.equal(new Set([...postedBefore.keys(), ...postedAfter.keys()]).size, run.counts.windows, 'every window emitted');
  } finally {
    h.ingressProxy.onRequest = undefined;
    // The next scenario in this file (if any) gets a controller with the stack's own kubeConfig.
    if (!kubeConfig.dead) await h.stack.restartController();
  }
});
