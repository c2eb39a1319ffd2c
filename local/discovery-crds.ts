import type { DiscoveryTable } from '../shared/api/activity-policy.js';

/**
 * The local control plane learns extra resources the way a cluster does:
 * each `"<group>/<plural>": "Kind"` entry becomes a served CRD, so the
 * controller's discovery table (read from the API server) includes it.
 * Core-group entries cannot be CRDs; the built-in table covers those.
 */
export function discoveryCrds(discovery: DiscoveryTable): object[] {
  return Object.entries(discovery).flatMap(([key, kind]) => {
    const slash = key.lastIndexOf('/');
    const group = key.slice(0, slash);
    const plural = key.slice(slash + 1);
    if (!group || !plural || !kind) return [];
    return [
      {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: `${plural}.${group}` },
        spec: {
          group,
          scope: 'Namespaced',
          names: { plural, kind, singular: kind.toLowerCase() },
          versions: [
            { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } },
          ],
        },
      },
    ];
  });
}
