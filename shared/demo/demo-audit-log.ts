import type { SeededRandom } from './seeded-random.js';
import { HUMANS, NAMESPACES, RESOURCES, SERVICE_ACCOUNTS, SYSTEM_USERS, VERBS, type DemoUser } from './demo-catalog.js';
import { microTime } from './demo-time.js';

/** One audit.k8s.io/v1 Event at `epochMicros`, as the API server logs it at ResponseComplete. */
export function demoAuditLog(rnd: SeededRandom, epochMicros: number): Record<string, unknown> {
  const res = rnd.weighted(RESOURCES);
  const user: DemoUser = rnd.pick(rnd.weighted<readonly DemoUser[]>([[HUMANS, 35], [SERVICE_ACCOUNTS, 35], [SYSTEM_USERS, 30]]));
  const verb = rnd.weighted(VERBS);
  const namespace = res.namespaced ? rnd.pick(NAMESPACES) : undefined;
  const name = verb === 'list' ? undefined : rnd.pick(res.names);
  let subresource: string | undefined;
  if (res.resource === 'deployments' && (verb === 'patch' || verb === 'update') && rnd.next() < 0.25) subresource = 'scale';
  if (res.resource === 'pods' && verb === 'create' && rnd.next() < 0.15) subresource = 'eviction';
  if (res.resource === 'pods' && verb === 'patch' && user.username.startsWith('system:node:')) subresource = 'status';

  const code = statusCode(rnd, verb, user);
  const mutating = verb !== 'get' && verb !== 'list';
  const apiPrefix = res.group ? `/apis/${res.group}/${res.version}` : `/api/${res.version}`;
  const requestURI = `${apiPrefix}${namespace ? `/namespaces/${namespace}` : ''}/${res.resource}${name ? `/${name}` : ''}${subresource ? `/${subresource}` : ''}`;
  const objectUid = `${res.kind.toLowerCase()}-${namespace ?? 'cluster'}-${name ?? 'list'}`.replace(/[^a-z0-9-]/g, '-');
  const received = epochMicros;
  const event: Record<string, unknown> = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: mutating ? 'RequestResponse' : 'Metadata',
    auditID: rnd.uuid(),
    stage: 'ResponseComplete',
    requestURI,
    verb,
    user: { username: user.username, ...(user.uid ? { uid: user.uid } : {}), groups: user.groups, ...(user.extra ? { extra: user.extra } : {}) },
    sourceIPs: [`10.0.${rnd.int(4)}.${1 + rnd.int(250)}`],
    userAgent: user.userAgent,
    objectRef: {
      resource: res.resource,
      ...(namespace ? { namespace } : {}),
      ...(name ? { name } : {}),
      ...(res.group ? { apiGroup: res.group } : {}),
      apiVersion: res.version,
      ...(subresource ? { subresource } : {}),
    },
    responseStatus: { metadata: {}, code, ...(code >= 400 ? { status: 'Failure', reason: reasonFor(code) } : {}) },
  };
  if (mutating && code < 300 && name && verb !== 'delete') {
    event.responseObject = {
      kind: subresource === 'scale' ? 'Scale' : res.kind,
      apiVersion: res.group ? `${res.group}/${res.version}` : res.version,
      metadata: { name, ...(namespace ? { namespace } : {}), uid: uuidFrom(objectUid), resourceVersion: String(100000 + rnd.int(900000)) },
      ...(subresource === 'scale' ? { spec: { replicas: 1 + rnd.int(10) } } : {}),
    };
  }
  if (verb === 'delete' && code < 300) {
    event.responseObject = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, kind: res.resource, uid: uuidFrom(objectUid) } };
  }
  event.requestReceivedTimestamp = microTime(received);
  event.stageTimestamp = microTime(received + 2000 + rnd.int(60000));
  event.annotations = {
    'authorization.k8s.io/decision': code === 403 ? 'forbid' : 'allow',
    'authorization.k8s.io/reason': code === 403 ? '' : 'RBAC: allowed by ClusterRoleBinding "cluster-admins"',
  };
  return event;
}

function statusCode(rnd: SeededRandom, verb: string, user: DemoUser): number {
  const r = rnd.next();
  if (!user.username.startsWith('system:') && r < 0.02) return 403;
  if (verb === 'get' && r < 0.07) return 404;
  if ((verb === 'create' || verb === 'update') && r < 0.05) return 409;
  return verb === 'create' ? 201 : 200;
}

function reasonFor(code: number): string {
  return code === 403 ? 'Forbidden' : code === 404 ? 'NotFound' : 'AlreadyExists';
}

/** A stable uid per object, so every audit log about one object names the same uid. */
export function uuidFrom(key: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < key.length; i++) {
    h1 = Math.imul(h1 ^ key.charCodeAt(i), 16777619) >>> 0;
    h2 = Math.imul(h2 ^ key.charCodeAt(i), 2246822519) >>> 0;
  }
  const h = (h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0')).repeat(2);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
