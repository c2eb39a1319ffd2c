import type { ActivityResource } from '../api/activity.js';

/** spec.resource and link resources alike: apiGroup, namespace and uid only when set, the rest always. */
export function resourceShape(apiGroup: string, apiVersion: string, kind: string, name: string, namespace: string, uid: string): ActivityResource {
  const out = {} as ActivityResource;
  if (apiGroup !== '') out.apiGroup = apiGroup;
  out.apiVersion = apiVersion;
  out.kind = kind;
  out.name = name;
  if (namespace !== '') out.namespace = namespace;
  if (uid !== '') out.uid = uid;
  return out;
}
