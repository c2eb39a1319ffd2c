import type { InputKind } from './evaluation-outcome.js';

/**
 * Tells a stored audit event from a Kubernetes Event by apiVersion. Without
 * one, the shape decides (auditID vs regarding/involvedObject), so bare
 * fixtures still work.
 */
export function inputKindOf(obj: unknown): InputKind | undefined {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return undefined;
  const o = obj as Record<string, unknown>;
  const apiVersion = o.apiVersion;
  if (apiVersion === 'audit.k8s.io/v1') return 'audit';
  if (apiVersion === 'events.k8s.io/v1') return 'event';
  if (apiVersion === 'v1') return o.kind === 'Event' ? 'event' : undefined;
  if (apiVersion !== undefined) return undefined;
  if ('auditID' in o || 'requestReceivedTimestamp' in o) return 'audit';
  if ('regarding' in o || 'involvedObject' in o) return 'event';
  return undefined;
}
