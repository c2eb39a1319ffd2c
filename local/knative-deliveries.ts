// The delivery settings of window requests and of their results, read from
// the manifests a cluster applies (the Triggers' spec.delivery and the
// Knative Service timeoutSeconds of their subscribers and dead-letter sinks;
// a Trigger without spec.delivery gets its Broker's, as Knative gives it, the
// whole object), in the form the controller takes them (controller/result-deadline.ts). The local stack derives its
// result deadline from them; the manifests test checks the controller
// Deployment's WINDOW_DELIVERY / RESULT_DELIVERY against them.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Delivery } from '../controller/result-deadline.js';
import { WINDOW_COMPLETED, WINDOW_REQUESTED } from '../shared/contracts/cloud-event-types.js';

interface Doc {
  kind?: string;
  apiVersion?: string;
  metadata?: { name?: string };
  spec?: {
    broker?: string;
    filter?: { attributes?: { type?: string } };
    subscriber?: { ref?: { kind?: string; name?: string } };
    delivery?: {
      retry?: number;
      backoffPolicy?: 'linear' | 'exponential';
      backoffDelay?: string;
      timeout?: string;
      deadLetterSink?: { ref?: { kind?: string; name?: string } };
    };
    template?: { spec?: { timeoutSeconds?: number } };
  };
}

export async function knativeDeliveries(dir: string): Promise<{ window: Delivery; result: Delivery }> {
  const docs: Doc[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !/\.ya?ml$/.test(entry.name)) continue;
    for (const doc of parseAllDocuments(await readFile(join(entry.parentPath, entry.name), 'utf8'))) docs.push(doc.toJS() as Doc);
  }
  const delivery = (type: string): Delivery => {
    const trigger = docs.find((d) => d?.kind === 'Trigger' && d.apiVersion?.startsWith('eventing.knative.dev/') && d.spec?.filter?.attributes?.type === type);
    if (!trigger) throw new Error(`no Trigger for ${type} under ${dir}`);
    const broker = docs.find((doc) => doc?.kind === 'Broker' && doc.apiVersion?.startsWith('eventing.knative.dev/') && doc.metadata?.name === trigger.spec?.broker);
    const d = trigger.spec?.delivery ?? broker?.spec?.delivery ?? {};
    // Knative Serving's default revision timeout is 300 s.
    const serviceTimeout = (name: string | undefined) => {
      const service = docs.find((doc) => doc?.kind === 'Service' && doc.apiVersion?.startsWith('serving.knative.dev/') && doc.metadata?.name === name);
      return `PT${service?.spec?.template?.spec?.timeoutSeconds ?? 300}S`;
    };
    // The Trigger's delivery.timeout bounds every attempt, its dead letters' too.
    const timeout = d.timeout ?? serviceTimeout(trigger.spec?.subscriber?.ref?.name);
    const deadLetter = d.deadLetterSink?.ref;
    return {
      retry: d.retry ?? 0,
      backoffPolicy: d.backoffPolicy ?? 'exponential',
      backoffDelay: d.backoffDelay ?? 'PT0S',
      timeout,
      ...(deadLetter ? { deadLetterTimeout: d.timeout ?? serviceTimeout(deadLetter.name) } : {}),
    };
  };
  return { window: delivery(WINDOW_REQUESTED), result: delivery(WINDOW_COMPLETED) };
}
