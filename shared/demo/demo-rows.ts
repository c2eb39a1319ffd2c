import { SeededRandom } from './seeded-random.js';
import { demoAuditLog } from './demo-audit-log.js';
import { demoK8sEvent } from './demo-k8s-event.js';

export interface DemoDataOptions {
  /** Rows to generate, audit logs and Events together. */
  events: number;
  /** The rows spread over [now - days, now). */
  days: number;
  now: Date;
  seed?: number;
  /**
   * Pads each well-formed audit log to about this many bytes (a large
   * requestObject, as a ConfigMap or Secret write logs at RequestResponse):
   * the benchmark's page-memory measure. Unset: natural sizes (~1 KB).
   */
  auditEventBytes?: number;
}

export interface DemoRow {
  source: 'audit' | 'event';
  /** The stored `event_json`. */
  json: string;
}

const MALFORMED_EVERY = 1000;

/**
 * Yields demo rows one at a time, in time order, so a loader can stream a
 * million of them in bounded memory. About 70% audit logs, 30% Events; one
 * row in a thousand (the 500th of each thousand) is malformed JSON: a
 * document cut short, as a crashed writer would leave it.
 */
export function* demoRows(opts: DemoDataOptions): Generator<DemoRow> {
  const rnd = new SeededRandom(opts.seed ?? 42);
  const endMicros = opts.now.getTime() * 1000;
  const startMicros = endMicros - opts.days * 86_400_000_000;
  const step = (endMicros - startMicros) / Math.max(1, opts.events);
  for (let i = 0; i < opts.events; i++) {
    const at = Math.floor(startMicros + (i + rnd.next()) * step);
    const source = rnd.next() < 0.7 ? 'audit' : 'event';
    const doc = source === 'audit' ? demoAuditLog(rnd, at) : demoK8sEvent(rnd, at, startMicros);
    let json = JSON.stringify(doc);
    if (source === 'audit' && opts.auditEventBytes !== undefined && json.length < opts.auditEventBytes) {
      doc.requestObject = { kind: 'ConfigMap', apiVersion: 'v1', data: { padding: '' } };
      const padding = opts.auditEventBytes - JSON.stringify(doc).length;
      (doc.requestObject as { data: { padding: string } }).data.padding = 'x'.repeat(Math.max(0, padding));
      json = JSON.stringify(doc);
    }
    if (i % MALFORMED_EVERY === MALFORMED_EVERY / 2 - 1) json = json.slice(0, json.length - 25);
    yield { source, json };
  }
}
