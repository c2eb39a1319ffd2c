// Which events a Trigger lets through, as Knative's broker filter decides
// (eventing pkg/eventfilter: attributes and subscriptionsapi).
import type { SubscriptionsApiFilter, Trigger } from './knative-eventing.js';

type Attributes = Record<string, string>;

// Context attributes every event has, even when unset; extensions exist only when present.
const STANDARD = new Set(['specversion', 'id', 'source', 'type', 'subject', 'time', 'dataschema', 'datacontenttype']);

function lookup(attributes: Attributes, name: string): string | undefined {
  if (name in attributes) return attributes[name];
  if (name === 'schemaurl') return attributes.dataschema ?? '';
  if (name === 'datamediatype') return (attributes.datacontenttype ?? '').split(';')[0].trim();
  return STANDARD.has(name) ? '' : undefined;
}

/** `filters` wins when non-empty (the new-trigger-filters feature); else `filter.attributes`; else everything passes. */
export function triggerMatches(spec: Trigger['spec'], attributes: Attributes): boolean {
  if (spec.filters && spec.filters.length > 0) return spec.filters.every((f) => filterMatches(f, attributes));
  return attributesMatch(spec.filter?.attributes ?? {}, attributes);
}

// Legacy filter: every listed attribute must exist and equal the value; an
// empty value means "any value", but the attribute must still exist.
function attributesMatch(wanted: Record<string, string>, attributes: Attributes): boolean {
  return Object.entries(wanted).every(([name, value]) => {
    const actual = lookup(attributes, name);
    return actual !== undefined && (value === '' || actual === value);
  });
}

function filterMatches(filter: SubscriptionsApiFilter, attributes: Attributes): boolean {
  // One operator per entry (Knative's webhook enforces it; this is its precedence).
  if (filter.exact && Object.keys(filter.exact).length > 0) return compare(filter.exact, attributes, (a, v) => a === v);
  if (filter.prefix && Object.keys(filter.prefix).length > 0) return compare(filter.prefix, attributes, (a, v) => a.startsWith(v));
  if (filter.suffix && Object.keys(filter.suffix).length > 0) return compare(filter.suffix, attributes, (a, v) => a.endsWith(v));
  if (filter.all && filter.all.length > 0) return filter.all.every((f) => filterMatches(f, attributes));
  // An empty `any` materialises to no filter at all in Knative, which passes.
  if (filter.any && filter.any.length > 0) return filter.any.some((f) => filterMatches(f, attributes));
  if (filter.not) return !filterMatches(filter.not, attributes);
  if (filter.cesql) throw new Error('CESQL trigger filters are not supported by the local broker');
  return true; // an empty entry is skipped by Knative
}

function compare(wanted: Record<string, string>, attributes: Attributes, test: (actual: string, value: string) => boolean): boolean {
  return Object.entries(wanted).every(([name, value]) => {
    const actual = lookup(attributes, name);
    return actual !== undefined && test(actual, value);
  });
}

/** Names the first CESQL filter in a trigger, so the broker can refuse it at start rather than per event. */
export function unsupportedFilter(spec: Trigger['spec']): string | undefined {
  const walk = (f: SubscriptionsApiFilter): boolean =>
    Boolean(f.cesql) || [...(f.all ?? []), ...(f.any ?? []), ...(f.not ? [f.not] : [])].some(walk);
  return (spec.filters ?? []).some(walk) ? 'cesql' : undefined;
}
