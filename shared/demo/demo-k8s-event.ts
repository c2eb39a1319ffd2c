import type { SeededRandom } from './seeded-random.js';
import { NAMESPACES, NODES } from './demo-catalog.js';
import { uuidFrom } from './demo-audit-log.js';
import { microTime, secondTime } from './demo-time.js';

interface Ref {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  uid: string;
}

interface Scenario {
  kind: string;
  apiVersion: string;
  names: string[];
  controller: string;
  reasons: [reason: string, type: 'Normal' | 'Warning', action: string, note: (r: Ref, rel?: Ref) => string, weight: number][];
  related?: (rnd: SeededRandom, r: Ref) => Ref | undefined;
}

const nodeRef = (name: string): Ref => ({ apiVersion: 'v1', kind: 'Node', name, uid: uuidFrom(`node-${name}`) });
const ref = (apiVersion: string, kind: string, name: string, namespace: string | undefined): Ref => ({
  apiVersion, kind, name, ...(namespace ? { namespace } : {}), uid: uuidFrom(`${kind.toLowerCase()}-${namespace ?? 'cluster'}-${name}`),
});

const SCENARIOS: [Scenario, number][] = [
  [{
    kind: 'Pod', apiVersion: 'v1', names: ['web-7f9c5-abcde', 'web-7f9c5-fghij', 'api-6d8b4-klmno', 'worker-0', 'db-0', 'backup-28451-xyz12'],
    controller: 'kubelet',
    reasons: [
      ['Scheduled', 'Normal', 'Binding', (r, n) => `Successfully assigned ${r.namespace}/${r.name} to ${n?.name}`, 10],
      ['Pulling', 'Normal', 'Pulling', () => 'Pulling image "registry.example.com/web:1.4.2"', 10],
      ['Pulled', 'Normal', 'Pulled', () => 'Successfully pulled image "registry.example.com/web:1.4.2" in 1.2s', 10],
      ['Created', 'Normal', 'Created', () => 'Created container app', 10],
      ['Started', 'Normal', 'Started', () => 'Started container app', 10],
      ['Killing', 'Normal', 'Killing', () => 'Stopping container app', 5],
      ['BackOff', 'Warning', 'Restarting', () => 'Back-off restarting failed container app in pod', 6],
      ['FailedScheduling', 'Warning', 'Scheduling', () => '0/3 nodes are available: 3 Insufficient memory.', 3],
      ['Unhealthy', 'Warning', 'Probing', () => 'Readiness probe failed: HTTP probe failed with statuscode: 503', 4],
    ],
    related: (rnd) => nodeRef(rnd.pick(NODES)),
  }, 50],
  [{
    kind: 'Deployment', apiVersion: 'apps/v1', names: ['web', 'api', 'frontend', 'checkout'], controller: 'deployment-controller',
    reasons: [['ScalingReplicaSet', 'Normal', 'Scaling', (r, rs) => `Scaled up replica set ${rs?.name} to 3`, 1]],
    related: (_rnd, r) => ref('apps/v1', 'ReplicaSet', `${r.name}-7f9c5`, r.namespace),
  }, 15],
  [{
    kind: 'ReplicaSet', apiVersion: 'apps/v1', names: ['web-7f9c5', 'api-6d8b4', 'frontend-5c7d9'], controller: 'replicaset-controller',
    reasons: [
      ['SuccessfulCreate', 'Normal', 'Create', (_r, p) => `Created pod: ${p?.name}`, 3],
      ['SuccessfulDelete', 'Normal', 'Delete', (_r, p) => `Deleted pod: ${p?.name}`, 1],
    ],
    related: (rnd, r) => ref('v1', 'Pod', `${r.name}-${rnd.hex(5)}`, r.namespace),
  }, 12],
  [{
    kind: 'Job', apiVersion: 'batch/v1', names: ['backup-28451', 'migrate-schema', 'report-28452'], controller: 'job-controller',
    reasons: [
      ['SuccessfulCreate', 'Normal', 'Create', (r) => `Created pod: ${r.name}-xyz12`, 2],
      ['Completed', 'Normal', 'Complete', () => 'Job completed', 2],
      ['BackoffLimitExceeded', 'Warning', 'Fail', () => 'Job has reached the specified backoff limit', 1],
    ],
  }, 8],
  [{
    kind: 'CronJob', apiVersion: 'batch/v1', names: ['backup', 'report'], controller: 'cronjob-controller',
    reasons: [
      ['SuccessfulCreate', 'Normal', 'Create', (r) => `Created job ${r.name}-28451`, 2],
      ['SawCompletedJob', 'Normal', 'Watch', (r) => `Saw completed job: ${r.name}-28451, status: Complete`, 2],
    ],
    related: (_rnd, r) => ref('batch/v1', 'Job', `${r.name}-28451`, r.namespace),
  }, 5],
  [{
    kind: 'Service', apiVersion: 'v1', names: ['web', 'api'], controller: 'service-controller',
    reasons: [
      ['EnsuringLoadBalancer', 'Normal', 'Ensuring', () => 'Ensuring load balancer', 1],
      ['EnsuredLoadBalancer', 'Normal', 'Ensured', () => 'Ensured load balancer', 1],
    ],
  }, 4],
  [{
    kind: 'Node', apiVersion: 'v1', names: [...NODES], controller: 'kubelet',
    reasons: [
      ['NodeReady', 'Normal', 'Ready', (r) => `Node ${r.name} status is now: NodeReady`, 3],
      ['NodeNotReady', 'Warning', 'NotReady', (r) => `Node ${r.name} status is now: NodeNotReady`, 1],
    ],
  }, 6],
];

/**
 * One Kubernetes Event observed at `epochMicros`: mostly events.k8s.io/v1
 * (some repeated, with a `series`, some with a `related` object), a fifth
 * in the core v1 shape (involvedObject, source, first/lastTimestamp).
 */
export function demoK8sEvent(rnd: SeededRandom, epochMicros: number, notBeforeMicros: number): Record<string, unknown> {
  const scenario = rnd.weighted(SCENARIOS);
  const namespace = scenario.kind === 'Node' ? undefined : rnd.pick(NAMESPACES);
  const subject = ref(scenario.apiVersion, scenario.kind, rnd.pick(scenario.names), namespace);
  const [reason, type, action, note, ] = rnd.weighted(scenario.reasons.map((r) => [r, r[4]] as const));
  const related = scenario.related?.(rnd, subject);
  const controller = reason === 'Scheduled' || reason === 'FailedScheduling' ? 'default-scheduler' : scenario.controller;
  const host = controller === 'kubelet' ? rnd.pick(NODES) : `${controller}-${rnd.hex(4)}`;
  const repeated = type === 'Warning' && rnd.next() < 0.6;
  const count = repeated ? 2 + rnd.int(40) : 1;
  const first = repeated ? Math.max(notBeforeMicros, epochMicros - count * 30_000_000) : epochMicros;
  const metadata: Record<string, unknown> = {
    name: `${subject.name}.${rnd.hex(16)}`,
    ...(namespace ? { namespace } : {}),
    uid: rnd.uuid(),
    resourceVersion: String(200000 + rnd.int(800000)),
    creationTimestamp: secondTime(first),
  };
  if (rnd.next() < 0.3) {
    metadata.annotations = {
      'platform.miloapis.com/scope.type': 'Project',
      'platform.miloapis.com/scope.name': rnd.pick(['aurora', 'borealis']),
    };
  }
  const message = note(subject, related);
  if (rnd.next() < 0.2) {
    return {
      kind: 'Event',
      apiVersion: 'v1',
      metadata,
      involvedObject: { ...subject, resourceVersion: String(1000 + rnd.int(9000)) },
      reason,
      message,
      source: { component: controller, ...(controller === 'kubelet' ? { host } : {}) },
      firstTimestamp: secondTime(first),
      lastTimestamp: secondTime(epochMicros),
      count,
      type,
      eventTime: null,
      reportingComponent: controller,
      reportingInstance: controller === 'kubelet' ? host : '',
    };
  }
  return {
    kind: 'Event',
    apiVersion: 'events.k8s.io/v1',
    metadata,
    eventTime: microTime(first),
    ...(repeated ? { series: { count, lastObservedTime: microTime(epochMicros) } } : {}),
    reportingController: controller === 'kubelet' ? 'kubelet' : `${controller}`,
    reportingInstance: host,
    action,
    reason,
    regarding: { ...subject, ...(scenario.kind === 'Pod' ? { fieldPath: 'spec.containers{app}' } : {}) },
    ...(related ? { related } : {}),
    note: message,
    type,
  };
}
