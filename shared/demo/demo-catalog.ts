// What the demo cluster contains: resources, who acts on them, and which
// controllers report Events. Weights give a plausible mix, not a measured one.

export interface DemoResource {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
  names: readonly string[];
}

const r = (group: string, version: string, resource: string, kind: string, namespaced: boolean, names: string[]): DemoResource =>
  ({ group, version, resource, kind, namespaced, names });

export const RESOURCES: readonly (readonly [DemoResource, number])[] = [
  [r('', 'v1', 'pods', 'Pod', true, ['web-7f9c5-abcde', 'web-7f9c5-fghij', 'api-6d8b4-klmno', 'worker-0', 'worker-1', 'db-0', 'backup-28451-xyz12']), 25],
  [r('apps', 'v1', 'deployments', 'Deployment', true, ['web', 'api', 'frontend', 'checkout']), 15],
  [r('', 'v1', 'configmaps', 'ConfigMap', true, ['web-config', 'api-settings', 'feature-flags', 'kube-root-ca.crt']), 10],
  [r('', 'v1', 'secrets', 'Secret', true, ['db-credentials', 'tls-web', 'registry-pull']), 8],
  [r('', 'v1', 'services', 'Service', true, ['web', 'api', 'db', 'kubernetes']), 8],
  [r('apps', 'v1', 'replicasets', 'ReplicaSet', true, ['web-7f9c5', 'api-6d8b4', 'frontend-5c7d9']), 6],
  [r('apps', 'v1', 'statefulsets', 'StatefulSet', true, ['db', 'worker']), 3],
  [r('apps', 'v1', 'daemonsets', 'DaemonSet', true, ['node-exporter', 'fluent-bit']), 2],
  [r('batch', 'v1', 'jobs', 'Job', true, ['backup-28451', 'migrate-schema', 'report-28452']), 6],
  [r('batch', 'v1', 'cronjobs', 'CronJob', true, ['backup', 'report']), 3],
  [r('networking.k8s.io', 'v1', 'ingresses', 'Ingress', true, ['web', 'api']), 4],
  [r('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy', true, ['default-deny', 'allow-web']), 2],
  [r('rbac.authorization.k8s.io', 'v1', 'roles', 'Role', true, ['pod-reader', 'deployer']), 2],
  [r('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding', true, ['ci-deployer', 'read-pods']), 3],
  [r('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false, ['cluster-admins', 'monitoring']), 1],
  [r('', 'v1', 'namespaces', 'Namespace', false, ['web', 'payments', 'data', 'monitoring']), 2],
];

export const NAMESPACES = ['default', 'web', 'payments', 'data', 'monitoring'] as const;

export interface DemoUser {
  username: string;
  uid: string;
  groups: string[];
  extra?: Record<string, string[]>;
  userAgent: string;
}

const tenant = (type: string, name: string) => ({
  'iam.miloapis.com/parent-type': [type],
  'iam.miloapis.com/parent-name': [name],
  'iam.miloapis.com/parent-api-group': ['resourcemanager.miloapis.com'],
});
const KUBECTL = 'kubectl/v1.30.2 (linux/amd64) kubernetes/3968350';

export const HUMANS: readonly DemoUser[] = [
  { username: 'alice@example.com', uid: 'u-alice-0001', groups: ['system:authenticated'], extra: tenant('Project', 'aurora'), userAgent: KUBECTL },
  { username: 'bob@example.com', uid: 'u-bob-0002', groups: ['system:authenticated'], extra: tenant('Organization', 'acme'), userAgent: KUBECTL },
  { username: 'carol@example.com', uid: 'u-carol-0003', groups: ['system:authenticated'], extra: tenant('Project', 'borealis'), userAgent: 'Mozilla/5.0 (cloud-portal)' },
  { username: 'dave', uid: 'u-dave-0004', groups: ['system:authenticated', 'platform-admins'], userAgent: KUBECTL },
];

const sa = (ns: string, name: string): DemoUser => ({
  username: `system:serviceaccount:${ns}:${name}`,
  uid: `sa-${ns}-${name}`,
  groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'],
  userAgent: `${name}/v1.0.0`,
});

export const SERVICE_ACCOUNTS: readonly DemoUser[] = [
  sa('kube-system', 'deployment-controller'),
  sa('kube-system', 'replicaset-controller'),
  sa('web', 'ci-deployer'),
  sa('monitoring', 'prometheus'),
];

export const SYSTEM_USERS: readonly DemoUser[] = [
  { username: 'system:kube-controller-manager', uid: '', groups: ['system:authenticated'], userAgent: 'kube-controller-manager/v1.30.2' },
  { username: 'system:kube-scheduler', uid: '', groups: ['system:authenticated'], userAgent: 'kube-scheduler/v1.30.2' },
  { username: 'system:node:node-1', uid: '', groups: ['system:nodes', 'system:authenticated'], userAgent: 'kubelet/v1.30.2' },
  { username: 'system:apiserver', uid: 'apiserver-uid', groups: ['system:masters'], userAgent: 'kube-apiserver/v1.30.2' },
];

export const VERBS: readonly (readonly [string, number])[] = [
  ['get', 25], ['list', 5], ['create', 15], ['update', 20], ['patch', 25], ['delete', 10],
];

export const NODES = ['node-1', 'node-2', 'node-3'] as const;
