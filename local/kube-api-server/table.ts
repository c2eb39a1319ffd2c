// Server-side printing (meta.k8s.io Table), which `kubectl get` asks for with
// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`: a CRD's columns
// come from its additionalPrinterColumns, dates are said as ages ("5m"), as
// the real server's table convertor does; built-ins get kubectl's usual columns.
import type { KubeObject } from './object-store.js';
import type { PrinterColumn, ServedResource } from './resource-table.js';

type Cell = string | number | boolean | null;
interface Column { name: string; type: string; format: string; description: string; priority: number }

/** The Table version the Accept header asks for, or undefined when it wants plain JSON. */
export function tableVersion(accept: string | undefined): 'v1' | 'v1beta1' | undefined {
  for (const part of (accept ?? '').split(',')) {
    const params = Object.fromEntries(part.split(';').slice(1).map((p) => p.trim().split('=') as [string, string]));
    if (params.as === 'Table' && params.g === 'meta.k8s.io' && (params.v === 'v1' || params.v === 'v1beta1')) return params.v;
    if (!params.as) return undefined; // a plain type listed first wins
  }
  return undefined;
}

/** metav1 duration.HumanDuration: the AGE column's words. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const years = Math.floor(hours / 24 / 365);
  if (years < 8) return `${years}y${Math.floor(hours / 24) % 365}d`;
  return `${years}y`;
}

/** The JSONPath subset printer columns use: `.a.b`, `.a[0].b`, `.a[?(@.type=="Ready")].status`. */
export function jsonPathValue(obj: unknown, path: string): unknown {
  const tokens = path.replace(/^\{|\}$/g, '').match(/\.[^.[]+|\[\?\(@\.[^=]+==\s*"[^"]*"\)\]|\[\d+\]/g) ?? [];
  let values: unknown[] = [obj];
  for (const t of tokens) {
    const next: unknown[] = [];
    for (const v of values) {
      if (v === null || typeof v !== 'object') continue;
      const filter = /^\[\?\(@\.([^=]+?)\s*==\s*"([^"]*)"\)\]$/.exec(t);
      if (filter) {
        if (Array.isArray(v)) next.push(...v.filter((item) => String((item as any)?.[filter[1]]) === filter[2]));
      } else if (t.startsWith('[')) next.push((v as unknown[])[Number(t.slice(1, -1))]);
      else next.push((v as Record<string, unknown>)[t.slice(1)]);
    }
    values = next.filter((x) => x !== undefined);
  }
  return values[0];
}

const NAME: Column = { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names', priority: 0 };
const age = (path = '.metadata.creationTimestamp'): PrinterColumn => ({ name: 'Age', type: 'date', jsonPath: path, description: 'CreationTimestamp is a timestamp representing the server time when this object was created.' });

interface Printer { columns: Column[]; cells: (o: KubeObject, now: number) => Cell[] }

function fromPrinterColumns(columns: PrinterColumn[]): Printer {
  return {
    columns: [NAME, ...columns.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0 }))],
    cells: (o, now) => [
      o.metadata.name,
      ...columns.map((c): Cell => {
        const v = jsonPathValue(o, c.jsonPath);
        if (v === undefined || v === null) return null;
        if (c.type === 'date') return typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? humanDuration(now - Date.parse(v)) : String(v);
        return typeof v === 'object' ? JSON.stringify(v) : (v as Cell);
      }),
    ],
  };
}

function eventPrinter(): Printer {
  const col = (name: string, description: string): Column => ({ name, type: 'string', format: '', description, priority: 0 });
  return {
    columns: [col('Last Seen', 'Time of the last occurrence'), col('Type', 'Type of the event'), col('Reason', 'Why the event was created'), col('Object', 'The object it is about'), col('Message', 'What happened')],
    cells: (e, now) => {
      const last = e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp;
      const ref = e.involvedObject ?? e.regarding ?? {};
      return [last ? humanDuration(now - Date.parse(last)) : '<unknown>', e.type ?? '', e.reason ?? '', `${String(ref.kind ?? '').toLowerCase()}/${ref.name ?? ''}`, String(e.message ?? e.note ?? '').trim()];
    },
  };
}

function printerOf(r: ServedResource): Printer {
  if (r.printerColumns) return fromPrinterColumns(r.printerColumns);
  if (r.resource === 'events') return eventPrinter();
  if (r.resource === 'namespaces' && r.group === '') return fromPrinterColumns([{ name: 'Status', type: 'string', jsonPath: '.status.phase' }, age()]);
  if (r.resource === 'customresourcedefinitions') return fromPrinterColumns([{ name: 'Created At', type: 'string', format: 'date-time', jsonPath: '.metadata.creationTimestamp' }]);
  if (r.resource === 'configmaps' && r.group === '') {
    const base = fromPrinterColumns([age()]);
    return {
      columns: [NAME, { name: 'Data', type: 'integer', format: '', description: 'Number of keys', priority: 0 }, ...base.columns.slice(1)],
      cells: (o, now) => [o.metadata.name, Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length, ...base.cells(o, now).slice(1)],
    };
  }
  return fromPrinterColumns([age()]);
}

export interface TableOptions {
  version: 'v1' | 'v1beta1';
  /** `includeObject`: None, Object, or (default) Metadata. */
  includeObject?: string | null;
  resourceVersion?: string;
  /** Watch events after the first carry rows only. */
  withColumns?: boolean;
  now?: number;
}

export function toTable(r: ServedResource, objects: KubeObject[], opts: TableOptions): object {
  const printer = printerOf(r);
  const now = opts.now ?? Date.now();
  const include = opts.includeObject ?? 'Metadata';
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${opts.version}`,
    metadata: opts.resourceVersion ? { resourceVersion: opts.resourceVersion } : {},
    ...(opts.withColumns === false ? {} : { columnDefinitions: printer.columns }),
    rows: objects.map((o) => ({
      cells: printer.cells(o, now),
      ...(include === 'None' ? {} : {
        object: include === 'Object' ? o : { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${opts.version}`, metadata: o.metadata },
      }),
    })),
  };
}
