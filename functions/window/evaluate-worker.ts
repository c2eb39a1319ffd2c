import { parentPort } from 'node:worker_threads';
import type { DiscoveryTable } from '../../shared/api/activity-policy.js';
import { parsePageRows } from '../../shared/clickhouse/read-window.js';
import type { PolicySnapshot } from '../../shared/contracts/window-requested.js';
import type { InputKind } from '../../shared/policy/evaluation-outcome.js';
import { compilePolicies } from '../../shared/policy/policy-engine.js';
import { evaluatePage, type EvaluatedPage, type PageOutput } from './evaluate-page.js';
import type { PolicyEvaluator } from './window-deps.js';

/** A page for a worker: its bytes as ClickHouse sent them (transferred), and the snapshot when the worker has not got it yet. */
export interface PageJob {
  id: number;
  key: string;
  snapshot?: { policies: PolicySnapshot[]; discovery: DiscoveryTable };
  /** Snapshot keys the pool no longer tracks for this worker. */
  evict?: string[];
  kind: InputKind;
  bytes: Uint8Array;
  output: PageOutput;
}

export type PageReply = { id: number; page: EvaluatedPage } | { id: number; error: string };

// The engines of the snapshots the pool says this worker holds.
const engines = new Map<string, PolicyEvaluator>();

parentPort!.on('message', (job: PageJob) => {
  let reply: PageReply;
  let transfer: ArrayBuffer[] = [];
  try {
    for (const key of job.evict ?? []) engines.delete(key);
    if (job.snapshot) engines.set(job.key, compilePolicies(job.snapshot.policies, job.snapshot.discovery));
    const engine = engines.get(job.key);
    if (!engine) throw new Error(`no policy snapshot ${job.key} in this worker`);
    const page = evaluatePage(engine, job.kind, parsePageRows(job.bytes), job.output);
    if (page.payload) transfer = [page.payload.buffer as ArrayBuffer, page.ends!.buffer as ArrayBuffer];
    reply = { id: job.id, page };
  } catch (err) {
    reply = { id: job.id, error: (err as Error).message ?? String(err) };
  }
  parentPort!.postMessage(reply, transfer);
});
