// fieldSelector as the real server takes it: only `=`, `==` and `!=`, and
// only the fields each resource registers; anything else is a 400, so a
// client never believes it filtered when it did not.
import { StatusError } from './status-error.js';
import type { ServedResource } from './resource-table.js';

type Fields = Record<string, string>;

const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));

function objectRefFields(prefix: string, ref: any): Fields {
  return Object.fromEntries(['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'].map((k) => [`${prefix}.${k}`, str(ref?.[k])]));
}

/** The selectable fields of an object of a resource (as served: events.k8s.io Events by `regarding.*`). */
export function selectableFields(r: ServedResource, obj: any): Fields {
  const meta: Fields = { 'metadata.name': str(obj?.metadata?.name), 'metadata.namespace': str(obj?.metadata?.namespace) };
  if (r.resource === 'events' && r.group === '') {
    return { ...meta, ...objectRefFields('involvedObject', obj?.involvedObject), reason: str(obj?.reason), reportingComponent: str(obj?.reportingComponent), source: str(obj?.source?.component), type: str(obj?.type) };
  }
  if (r.resource === 'events' && r.group === 'events.k8s.io') {
    return { ...meta, ...objectRefFields('regarding', obj?.regarding), reason: str(obj?.reason), reportingController: str(obj?.reportingController), type: str(obj?.type) };
  }
  if (r.resource === 'namespaces' && r.group === '') return { ...meta, 'status.phase': str(obj?.status?.phase) };
  if (r.resource === 'secrets' && r.group === '') return { ...meta, type: str(obj?.type) };
  return meta;
}

export function parseFieldSelector(r: ServedResource, selector: string | null): (obj: unknown) => boolean {
  if (!selector) return () => true;
  const known = Object.keys(selectableFields(r, {}));
  const terms = selector.split(',').map((text) => {
    const m = /^\s*([^=!\s]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(text);
    if (!m) throw new StatusError('BadRequest', `invalid selector: '${selector}'; can't understand '${text}'`);
    const [, field, op, value] = m;
    if (!known.includes(field)) {
      throw new StatusError('BadRequest', r.custom
        ? `"${field}" is not a known field selector: only ${known.map((k) => `"${k}"`).join(', ')}`
        : `field label not supported: ${field}`);
    }
    return { field, negate: op === '!=', value };
  });
  return (obj) => {
    const fields = selectableFields(r, obj);
    return terms.every((t) => (fields[t.field] === t.value) !== t.negate);
  };
}
