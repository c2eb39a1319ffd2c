// metav1.Condition upkeep: one condition per type, and lastTransitionTime
// moves only when the status changes (a new reason or message is not a
// transition), as meta.SetStatusCondition does. observedGeneration is
// required: a condition must say which generation of the spec it reflects.
import type { Condition } from './reindex-job.js';

export function setCondition(conditions: readonly Condition[] | undefined, next: Omit<Condition, 'lastTransitionTime' | 'observedGeneration'> & { observedGeneration: number }, now: Date): Condition[] {
  const list = [...(conditions ?? [])];
  const index = list.findIndex((c) => c.type === next.type);
  const current = index >= 0 ? list[index] : undefined;
  const lastTransitionTime = current && current.status === next.status ? current.lastTransitionTime : now.toISOString();
  const updated: Condition = { ...next, lastTransitionTime };
  if (index >= 0) list[index] = updated;
  else list.push(updated);
  return list;
}
