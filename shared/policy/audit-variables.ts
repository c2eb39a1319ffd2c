/** The CEL activation for one audit event (ACTIVITY-FORMAT.md §2). */
export interface AuditVariables {
  audit: Record<string, unknown>;
  actor: string;
  actorRef: { type: string; name: string };
  /** objectRef.resource: the plural, despite the name. */
  kind: string;
}

export function actorRefOf(username: string): { type: string; name: string } {
  if (username === '') return { type: 'unknown', name: '' };
  if (username.startsWith('system:serviceaccount:')) return { type: 'serviceaccount', name: username };
  if (username.startsWith('system:')) return { type: 'system', name: username };
  return { type: 'user', name: username };
}

/** `audit` must already be normalized (normalizeAuditEvent). */
export function auditVariables(audit: Record<string, unknown>): AuditVariables {
  const user = audit.user as { username?: string };
  const objectRef = audit.objectRef as { resource?: string };
  const actor = user.username ?? '';
  return { audit, actor, actorRef: actorRefOf(actor), kind: objectRef.resource ?? '' };
}
