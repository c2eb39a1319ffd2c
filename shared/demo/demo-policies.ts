import type { ActivityPolicy, ActivityPolicyRule } from '../api/activity-policy.js';

// Demo ActivityPolicies for the resources the demo data touches, in the rule
// style of the live system: a human actor is linked, a system actor reads
// "System", the object is linked. Reads (get, list) and failed requests make
// no activity, as in a real deployment.

const WHO = "{{ actor.startsWith('system:') ? 'System' : link(actor, actorRef) }}";
const OK = 'audit.responseStatus.code < 300';
const obj = (noun: string): string => `{{ has(audit.objectRef.name) ? link(audit.objectRef.name, audit.objectRef) : '${noun}' }}`;

function crudRules(noun: string, extra: ActivityPolicyRule[] = []): ActivityPolicyRule[] {
  return [
    ...extra,
    { name: 'created', match: `audit.verb == 'create' && ${OK}`, summary: `${WHO} created ${noun} ${obj(noun)}` },
    { name: 'deleted', match: `audit.verb == 'delete' && ${OK}`, summary: `${WHO} deleted ${noun} ${obj(noun)}` },
    { name: 'updated', match: `audit.verb in ['update', 'patch'] && ${OK}`, summary: `${WHO} updated ${noun} ${obj(noun)}` },
  ];
}

const subject = '{{ link(event.regarding.name, event.regarding) }}';
const eventRule = (reason: string, summary: string): ActivityPolicyRule => ({
  name: reason.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase(),
  match: `event.reason == '${reason}'`,
  summary,
});

function policy(name: string, apiGroup: string, kind: string, auditRules?: ActivityPolicyRule[], eventRules?: ActivityPolicyRule[]): ActivityPolicy {
  return {
    apiVersion: 'activity.miloapis.com/v1alpha1',
    kind: 'ActivityPolicy',
    metadata: { name, labels: { 'activity.miloapis.com/demo': 'true', 'activity.miloapis.com/area': apiGroup || 'core' } },
    spec: {
      resource: { apiGroup, kind },
      ...(auditRules ? { auditRules } : {}),
      ...(eventRules ? { eventRules } : {}),
    },
  };
}

const subresource = (name: string) => `has(audit.objectRef.subresource) && audit.objectRef.subresource == '${name}'`;

export const demoPolicies: ActivityPolicy[] = [
  policy('deployments', 'apps', 'Deployment',
    crudRules('deployment', [
      { name: 'scaled', match: `audit.verb in ['update', 'patch'] && ${subresource('scale')} && ${OK}`,
        summary: `${WHO} scaled deployment ${obj('deployment')} to {{ has(audit.responseObject.spec) ? string(int(audit.responseObject.spec.replicas)) : 'a new size' }} replicas` },
    ]),
    [eventRule('ScalingReplicaSet', `${subject} scaled {{ has(event.related) ? link(event.related.name, event.related) : 'its replica set' }}`)]),
  policy('pods', '', 'Pod',
    crudRules('pod', [
      { name: 'evicted', match: `audit.verb == 'create' && ${subresource('eviction')} && ${OK}`, summary: `${WHO} evicted pod ${obj('pod')}` },
      { name: 'status', match: `${subresource('status')}`, summary: `${WHO} reported status of pod ${obj('pod')}` },
    ]),
    [
      eventRule('Scheduled', `${subject} was scheduled to {{ has(event.related) ? link(event.related.name, event.related) : 'a node' }}`),
      eventRule('Pulled', `Pulled the image for ${subject}`),
      eventRule('Started', `Started a container in ${subject}`),
      eventRule('Killing', `Stopped a container in ${subject}`),
      eventRule('BackOff', `${subject} keeps crashing: {{ has(event.note) ? event.note : event.message }}`),
      eventRule('FailedScheduling', `Could not schedule ${subject}: {{ has(event.note) ? event.note : event.message }}`),
      eventRule('Unhealthy', `${subject} is unhealthy: {{ has(event.note) ? event.note : event.message }}`),
    ]),
  policy('configmaps', '', 'ConfigMap', crudRules('config map')),
  policy('secrets', '', 'Secret', crudRules('secret')),
  policy('services', '', 'Service', crudRules('service'), [
    eventRule('EnsuredLoadBalancer', `Load balancer ready for ${subject}`),
  ]),
  policy('replicasets', 'apps', 'ReplicaSet', undefined, [
    eventRule('SuccessfulCreate', `${subject} created {{ has(event.related) ? link(event.related.name, event.related) : 'a pod' }}`),
    eventRule('SuccessfulDelete', `${subject} deleted {{ has(event.related) ? link(event.related.name, event.related) : 'a pod' }}`),
  ]),
  policy('statefulsets', 'apps', 'StatefulSet', crudRules('stateful set')),
  policy('jobs', 'batch', 'Job', crudRules('job'), [
    eventRule('Completed', `Job ${subject} completed`),
    eventRule('BackoffLimitExceeded', `Job ${subject} failed: {{ has(event.note) ? event.note : event.message }}`),
  ]),
  policy('cronjobs', 'batch', 'CronJob', crudRules('cron job'), [
    eventRule('SawCompletedJob', `${subject} finished {{ has(event.related) ? link(event.related.name, event.related) : 'a run' }}`),
  ]),
  policy('ingresses', 'networking.k8s.io', 'Ingress', crudRules('ingress')),
  policy('networkpolicies', 'networking.k8s.io', 'NetworkPolicy', crudRules('network policy')),
  policy('roles', 'rbac.authorization.k8s.io', 'Role', crudRules('role')),
  policy('rolebindings', 'rbac.authorization.k8s.io', 'RoleBinding', crudRules('role binding')),
  policy('clusterrolebindings', 'rbac.authorization.k8s.io', 'ClusterRoleBinding', crudRules('cluster role binding')),
  policy('namespaces', '', 'Namespace', crudRules('namespace')),
  policy('nodes', '', 'Node', undefined, [
    eventRule('NodeReady', `Node ${subject} is ready`),
    eventRule('NodeNotReady', `Node ${subject} is not ready`),
  ]),
];
