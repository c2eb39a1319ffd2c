// Turns a Knative Destination (ref and/or uri) into a local URL. On a cluster
// the ref resolves to the Addressable's status.address.url; locally the
// caller says where each service listens.
import type { Destination } from './knative-eventing.js';

/**
 * `subscriberUrls` keys, tried in order for a ref: "Kind/namespace/name",
 * "Kind/name", "name" (e.g. { 'reindex-window': 'http://127.0.0.1:4101' }).
 * A uri is looked up as given, else used as is when it is absolute http(s);
 * with a ref, a uri is a path relative to the ref's URL, as in Knative.
 */
export function resolveDestination(
  destination: Destination,
  namespace: string,
  subscriberUrls: Record<string, string>,
): string | undefined {
  const { ref, uri } = destination;
  if (ref) {
    const refNamespace = ref.namespace ?? namespace;
    const keys = [`${ref.kind}/${refNamespace}/${ref.name}`, `${ref.kind}/${ref.name}`, ref.name];
    const base = keys.map((k) => subscriberUrls[k]).find((u) => u !== undefined);
    if (base === undefined) return undefined;
    return uri ? new URL(uri, base.endsWith('/') ? base : `${base}/`).toString() : base;
  }
  if (uri === undefined) return undefined;
  if (subscriberUrls[uri] !== undefined) return subscriberUrls[uri];
  return /^https?:\/\//.test(uri) ? uri : undefined;
}

/** How to name a destination in messages and in `subscriberUrls`. */
export function describeDestination(destination: Destination): string {
  return destination.ref ? `${destination.ref.kind}/${destination.ref.name}` : (destination.uri ?? '(none)');
}
