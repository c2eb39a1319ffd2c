// A window.requested the Broker dead-lettered is most often one the window
// function rejected as invalid (400): its data may not pass the
// WindowRequested schema. The aggregator must still fail that window, or the
// job waits forever; so only what the reducer needs is read, each piece from
// wherever it can be found: data, the reindexjob/reindexwindow extensions,
// the subject, or the event id the controller built (`<uid>-w<index>`).
import type { CloudEventV1 } from 'cloudevents';
import { z } from 'zod';
import { EXT_JOB, EXT_WINDOW } from '../../shared/contracts/cloud-event-types.js';
import { Source, type WindowRequested } from '../../shared/contracts/window-requested.js';
import { InvalidEventError } from '../../shared/errors/invalid-event-error.js';

/** What the reducer needs of a dead letter; the rest of WindowRequested may be there or not. */
export type DeadLetteredWindow = Partial<Omit<WindowRequested, 'job' | 'window'>> & {
  job: { name: string; uid: string; generation?: number };
  window: { index: number; source: Source; from?: string; to?: string; expectedEvents?: number };
};

const Name = z.string().min(1);
const Index = z.coerce.number().int().min(0);
const Generation = z.number().int();
const Time = z.iso.datetime({ offset: true });

/** The first candidate the schema accepts. */
function first<T>(schema: z.ZodType<T>, ...candidates: unknown[]): T | undefined {
  for (const c of candidates) {
    if (c === undefined || c === null || c === '') continue;
    const r = schema.safeParse(c);
    if (r.success) return r.data;
  }
  return undefined;
}

const record = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {});

/** `data` is the event data, parsed if it was JSON (anything else counts as no data). */
export function parseDeadLetteredWindow(event: CloudEventV1<unknown>, data: unknown): DeadLetteredWindow {
  const ext = event as Record<string, unknown>;
  const job = record(record(data).job);
  const window = record(record(data).window);
  const fromId = /^(.+)-w(\d+)$/.exec(event.id ?? '');
  const fromSubject = /^reindexjobs\/([^/]+)\/windows\/(\d+)$/.exec(event.subject ?? '');

  const name = first(Name, ext[EXT_JOB], job.name, fromSubject?.[1]);
  const uid = first(Name, job.uid, fromId?.[1]);
  // An extension arrives as a string over HTTP; an index must be a number or all digits, not true or "1e3".
  const index = first(Index, digits(window.index), digits(ext[EXT_WINDOW]), fromSubject?.[2], fromId?.[2]);
  const source = first(Source, window.source);
  const missing = Object.entries({ 'job name': name, 'job uid': uid, 'window index': index, 'window source': source })
    .filter(([, v]) => v === undefined)
    .map(([k]) => k);
  if (missing.length > 0) throw new InvalidEventError(`dead-lettered ${event.type} names no ${missing.join(', ')}`);

  const generation = first(Generation, job.generation);
  const from = first(Time, window.from);
  const to = first(Time, window.to);
  return {
    job: { name: name!, uid: uid!, ...(generation !== undefined ? { generation } : {}) },
    window: { index: index!, source: source!, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) },
  };
}

function digits(value: unknown): unknown {
  return typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value)) ? value : undefined;
}
