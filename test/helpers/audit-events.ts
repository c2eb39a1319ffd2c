// Audit logs as the API server writes them, for tests that seed
// audit.audit_logs: alice updating a Deployment in `default`, the shape the
// test policies' `deployments` rule turns into one activity each.

/** An audit.k8s.io/v1 Event: `alice@example.com` updated Deployment `default/<name>` at `at`. */
export function deploymentUpdate(auditID: string, at: string, name: string) {
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID,
    stage: 'ResponseComplete',
    requestURI: `/apis/apps/v1/namespaces/default/deployments/${name}`,
    verb: 'update',
    user: { username: 'alice@example.com', uid: 'alice' },
    objectRef: { resource: 'deployments', namespace: 'default', name, apiGroup: 'apps', apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 200 },
    requestReceivedTimestamp: at,
    stageTimestamp: at,
  };
}
