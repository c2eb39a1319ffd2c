// The deployables, checked by machine: every manifest against the upstream
// OpenAPI schemas (kubernetes-models, @kubernetes-models/knative), the CRDs
// against the structural-schema rules, the sample ReindexJobs against the
// CRD, and the contracts between the manifests and the code (CloudEvent
// types ↔ Triggers ↔ Services, env names ↔ main.ts, config ↔ Secret and
// ConfigMap keys, metrics ↔ dashboards and alerts, stream ↔ Vector).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Namespace, ServiceAccount, ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { CustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1';
import { Service as KnativeService } from '@kubernetes-models/knative/serving.knative.dev/v1';
import { Broker, Trigger } from '@kubernetes-models/knative/eventing.knative.dev/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import * as cloudEventTypes from '../shared/contracts/cloud-event-types.js';
import { streamConfig } from '../shared/nats/stream-config.js';
import { DEFAULT_SUBJECT_PREFIX } from '../shared/nats/activity-subject.js';
import { GROUP, REINDEXJOB_KIND, REINDEXJOB_PLURAL } from '../shared/api/reindex-job.js';
import { find, KNATIVE_DIR, loadYamlFile, renderKnative, renderKustomization, ROOT } from './manifests-load.js';
import { metadataProblems, schemaProblems, structuralProblems } from './manifests-schema.js';
import { EventPolicy } from './manifests-event-policy.js';

type Validatable = { validate(): void };
type ModelClass = new (data: any) => Validatable;

// Every kind we ship, with the model that carries its upstream schema. A
// kind missing here fails the test rather than going unchecked.
const MODELS: Record<string, ModelClass> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'apiextensions.k8s.io/v1/CustomResourceDefinition': CustomResourceDefinition,
  'serving.knative.dev/v1/Service': KnativeService,
  'eventing.knative.dev/v1/Broker': Broker,
  'eventing.knative.dev/v1/Trigger': Trigger,
  'eventing.knative.dev/v1alpha1/EventPolicy': EventPolicy,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
};

const all = renderKnative();
const secretExample = loadYamlFile(join(KNATIVE_DIR, 'secret.example.yaml'))[0];
const ofKind = (kind: string) => all.filter(({ doc }) => doc.kind === kind).map(({ doc }) => doc as any);
const knativeServices = ofKind('Service').filter((s) => s.apiVersion === 'serving.knative.dev/v1');
const crdOf = (plural: string) => ofKind('CustomResourceDefinition').find((c) => c.spec.names.plural === plural);

// The workloads and the entry point (its TypeScript source) each runs,
// compiled, from the one image.
const ENTRY_POINTS: Record<string, string> = {
  'reindex-window': 'functions/window/main.ts',
  'reindex-aggregator': 'functions/aggregator/main.ts',
  'reindex-controller': 'controller/main.ts',
  'reindex-status-page': 'status-page/main.ts',
};
const compiled = (entry: string) => `dist/${entry.replace(/\.ts$/, '.js')}`;

test('every manifest in the kustomization validates against its upstream schema', () => {
  assert.ok(all.length > 10, 'the kustomization renders the deployables');
  for (const { file, doc } of [...all, { file: 'knative/secret.example.yaml', doc: secretExample }]) {
    const Model = MODELS[`${doc.apiVersion}/${doc.kind}`];
    assert.ok(Model, `${file}: no schema for ${doc.apiVersion} ${doc.kind}`);
    assert.doesNotThrow(() => new Model(doc).validate(), (err: Error) => assert.fail(`${file} ${doc.kind}/${doc.metadata.name}: ${err.message}`));
  }
});

test('a broken manifest is rejected by the same validation', () => {
  const window = structuredClone(find(all, 'Service', 'reindex-window')) as any;
  window.spec.template.spec.containerConcurrency = 'one';
  assert.throws(() => new KnativeService(window).validate(), /containerConcurrency/);
  const controller = structuredClone(find(all, 'Deployment', 'reindex-controller')) as any;
  controller.spec.replicas = '1';
  assert.throws(() => new Deployment(controller).validate(), /replicas/);
});

test('no two manifests name the same object', () => {
  const seen = new Set<string>();
  for (const { file, doc } of all) {
    const key = `${doc.apiVersion}/${doc.kind}/${doc.metadata.namespace ?? ''}/${doc.metadata.name}`;
    assert.ok(!seen.has(key), `${file}: ${key} is defined twice`);
    seen.add(key);
  }
});

test('the CRDs are structural, cluster-scoped and carry the printer columns', () => {
  // The ActivityPolicy CRD is an opt-in component, not in the default kustomization.
  const crds = [...ofKind('CustomResourceDefinition'), ...renderKustomization(join(KNATIVE_DIR, 'components/activitypolicy-crd')).map(({ doc }) => doc as any)];
  assert.deepEqual(crds.map((c) => c.spec.names.plural).sort(), ['activitypolicies', REINDEXJOB_PLURAL]);
  for (const crd of crds) {
    assert.equal(crd.spec.group, GROUP);
    assert.equal(crd.spec.scope, 'Cluster', `${crd.metadata.name} is cluster-scoped (DESIGN.md §4.1)`);
    for (const version of crd.spec.versions) {
      const schema = version.schema?.openAPIV3Schema;
      assert.ok(schema, `${crd.metadata.name} ${version.name} has a schema`);
      assert.deepEqual([...structuralProblems(schema), ...metadataProblems(schema)], [], `${crd.metadata.name} ${version.name} is structural`);
    }
  }
  const jobs = crdOf(REINDEXJOB_PLURAL);
  assert.equal(jobs.spec.names.kind, REINDEXJOB_KIND);
  const served = jobs.spec.versions.find((v: any) => v.served && v.storage);
  assert.ok(served.subresources?.status !== undefined, 'ReindexJob has the status subresource');
  const columns = (served.additionalPrinterColumns ?? []).map((c: any) => c.name.toUpperCase());
  for (const column of ['PHASE', 'PROGRESS', 'TIME RANGE', 'AGE']) assert.ok(columns.includes(column), `printer column ${column}`);
});

test('the structural check catches a schema node without a type', () => {
  assert.deepEqual(structuralProblems({ type: 'object', properties: { a: { type: 'string' } } }), []);
  assert.deepEqual(structuralProblems({ type: 'object', properties: { a: { description: 'untyped' } } }), ['.a: no type']);
  assert.deepEqual(structuralProblems({ type: 'object', properties: { a: { type: 'string' } }, anyOf: [{ type: 'object' }] }), ['.anyOf[0]: type inside allOf/anyOf/oneOf/not']);
});

const examplesDir = join(ROOT, 'docs', 'examples');
const examples = existsSync(examplesDir)
  ? readdirSync(examplesDir).filter((f) => f.endsWith('.yaml')).flatMap((f) => loadYamlFile(join(examplesDir, f)).map((doc) => ({ file: f, doc })))
  : [];

test('the sample ReindexJobs in docs/examples validate against the CRD schema', () => {
  const jobs = examples.filter(({ doc }) => doc.kind === REINDEXJOB_KIND);
  assert.ok(jobs.length >= 3, 'docs/examples holds sample ReindexJobs');
  const crd = crdOf(REINDEXJOB_PLURAL);
  const version = crd.spec.versions.find((v: any) => v.storage);
  for (const { file, doc } of jobs) {
    assert.equal(doc.apiVersion, `${GROUP}/${version.name}`, `${file}: apiVersion`);
    assert.equal(doc.metadata.namespace, undefined, `${file}: ReindexJob is cluster-scoped`);
    assert.deepEqual(schemaProblems(version.schema.openAPIV3Schema, doc), [], `${file}: ${doc.metadata.name}`);
  }
});

test('the CRD schema rejects the mistakes an operator is likely to make', () => {
  const crd = crdOf(REINDEXJOB_PLURAL);
  const schema = crd.spec.versions.find((v: any) => v.storage).schema.openAPIV3Schema;
  const job = (spec: object) => ({ apiVersion: `${GROUP}/v1alpha1`, kind: REINDEXJOB_KIND, metadata: { name: 'x' }, spec });
  assert.deepEqual(schemaProblems(schema, job({ timeRange: { startTime: 'now-1h' } })), []);
  assert.notDeepEqual(schemaProblems(schema, job({})), [], 'timeRange is required');
  assert.notDeepEqual(schemaProblems(schema, job({ timeRange: { startTime: 'now-1h' }, config: { batchSize: 5 } })), [], 'batchSize below 100');
  assert.notDeepEqual(schemaProblems(schema, job({ timeRange: { startTime: 'now-1h' }, config: { parallelism: 1000 } })), [], 'parallelism above 256');
});

test('every CloudEvent type the code defines or emits has a Trigger, and no Trigger filters on an unknown type', () => {
  const defined: string[] = Object.values<unknown>(cloudEventTypes).filter((v): v is string => typeof v === 'string' && v.startsWith('com.miloapis.'));
  assert.deepEqual(defined.length, 4);
  // Types spelled out anywhere in product code must be the contract's.
  const literal = /['"`](com\.miloapis\.activity\.reindex\.[a-z.]+)['"`]/g;
  const emitted = new Set<string>();
  for (const dir of ['controller', 'functions', 'shared', 'local', 'cli']) {
    for (const file of sourceFiles(join(ROOT, dir))) {
      for (const m of readFileSync(file, 'utf8').matchAll(literal)) emitted.add(m[1]);
    }
  }
  for (const type of emitted) assert.ok(defined.includes(type), `${type} is used in code but not in shared/contracts/cloud-event-types.ts`);
  const triggers = ofKind('Trigger');
  const filtered = triggers.map((t) => t.spec.filter?.attributes?.type);
  for (const type of defined) assert.ok(filtered.includes(type), `no Trigger for ${type}`);
  for (const type of filtered) assert.ok(defined.includes(type), `a Trigger filters on ${type}, which nothing emits`);
  const route = (type: string) => triggers.find((t) => t.spec.filter.attributes.type === type).spec.subscriber.ref.name;
  assert.equal(route(cloudEventTypes.WINDOW_REQUESTED), 'reindex-window');
  assert.equal(route(cloudEventTypes.WINDOW_COMPLETED), 'reindex-aggregator');
  assert.equal(route(cloudEventTypes.WINDOW_FAILED), 'reindex-aggregator');
  assert.equal(route(cloudEventTypes.WINDOW_PROGRESS), 'reindex-aggregator');
});

test("every Trigger's Broker, subscriber and dead-letter sink exist in the manifests", () => {
  const refExists = (ref: any) => all.some(({ doc }) => doc.apiVersion === ref.apiVersion && doc.kind === ref.kind && doc.metadata.name === ref.name);
  for (const trigger of ofKind('Trigger')) {
    const name = trigger.metadata.name;
    assert.ok(find(all, 'Broker', trigger.spec.broker), `${name}: Broker ${trigger.spec.broker}`);
    assert.ok(refExists(trigger.spec.subscriber.ref), `${name}: subscriber ${trigger.spec.subscriber.ref.name}`);
    assert.ok(trigger.spec.delivery?.retry > 0 && trigger.spec.delivery.backoffPolicy === 'exponential', `${name}: its own delivery`);
    const dls = trigger.spec.delivery?.deadLetterSink?.ref;
    if (dls) assert.ok(refExists(dls), `${name}: dead-letter sink ${dls.name}`);
  }
  const broker = find(all, 'Broker', 'activity-reindex') as any;
  assert.ok(broker, 'Broker activity-reindex');
  assert.equal(broker.spec.delivery.backoffPolicy, 'exponential');
  assert.match(broker.spec.delivery.backoffDelay, /^PT\d+(\.\d+)?S$/);
  assert.ok(refExists(broker.spec.delivery.deadLetterSink.ref), 'the Broker dead-letter sink exists');
  assert.equal(broker.spec.delivery.deadLetterSink.ref.name, 'reindex-aggregator');
  const settings = find(all, 'ConfigMap', 'activity-reindex-settings') as any;
  assert.equal(settings.data.BROKER_URL, `http://broker-ingress.knative-eventing.svc.cluster.local/${broker.metadata.namespace}/${broker.metadata.name}`);
});

test('the window function scales to zero, is bounded, and is ready only on /readyz', () => {
  const window = find(all, 'Service', 'reindex-window') as any;
  const template = window.spec.template;
  assert.equal(template.metadata.annotations['autoscaling.knative.dev/min-scale'], '0');
  assert.match(template.metadata.annotations['autoscaling.knative.dev/max-scale'], /^[1-9]\d*$/);
  assert.ok(Number.isInteger(template.spec.containerConcurrency) && template.spec.containerConcurrency > 0);
  // Knative's default max-revision-timeout-seconds is 600.
  assert.ok(template.spec.timeoutSeconds > 0 && template.spec.timeoutSeconds <= 600);
  const [container] = template.spec.containers;
  assert.equal(container.readinessProbe.httpGet.path, '/readyz');
  for (const kind of ['requests', 'limits']) {
    assert.ok(container.resources[kind].cpu && container.resources[kind].memory, `resources.${kind}`);
  }
});

test('Knative Services set no reserved env and take ClickHouse and NATS from the Secret', () => {
  for (const service of knativeServices) {
    for (const container of service.spec.template.spec.containers) {
      const names = (container.env ?? []).map((e: any) => e.name);
      // Knative rejects a revision that sets PORT (it sets it from the port).
      for (const reserved of ['PORT', 'K_SERVICE', 'K_CONFIGURATION', 'K_REVISION']) assert.ok(!names.includes(reserved), `${service.metadata.name} sets ${reserved}`);
      assert.ok(container.ports.length === 1, `${service.metadata.name}: one port`);
    }
  }
  const connection = ['CLICKHOUSE_URL', 'CLICKHOUSE_USER', 'CLICKHOUSE_PASSWORD', 'CLICKHOUSE_DATABASE', 'NATS_URL'];
  for (const [name, needs] of [['reindex-window', connection], ['reindex-controller', connection.filter((n) => n !== 'NATS_URL')]] as const) {
    const env = containerOf(name).env;
    for (const variable of needs) {
      const entry = env.find((e: any) => e.name === variable);
      assert.ok(entry?.valueFrom?.secretKeyRef, `${name}: ${variable} comes from a Secret`);
    }
  }
});

test('every Secret and ConfigMap key the workloads read is provided', () => {
  const settings = find(all, 'ConfigMap', 'activity-reindex-settings') as any;
  const secretKeys = Object.keys((secretExample as any).stringData);
  for (const name of Object.keys(ENTRY_POINTS)) {
    for (const entry of containerOf(name).env ?? []) {
      const secret = entry.valueFrom?.secretKeyRef;
      const config = entry.valueFrom?.configMapKeyRef;
      if (secret) {
        assert.equal(secret.name, secretExample.metadata.name, `${name}: ${entry.name} reads the documented Secret`);
        assert.ok(secretKeys.includes(secret.key), `${name}: secret.example.yaml has ${secret.key}`);
      }
      if (config) {
        assert.equal(config.name, settings.metadata.name, `${name}: ${entry.name}`);
        assert.ok(config.key in settings.data, `${name}: ConfigMap has ${config.key}`);
      }
    }
  }
  assert.equal(settings.data.REINDEX_STREAM, streamConfig().name);
  assert.equal(settings.data.REINDEX_SUBJECT_PREFIX, DEFAULT_SUBJECT_PREFIX);
});

test('every workload runs as its own ServiceAccount, and the window function holds no token', () => {
  for (const name of Object.keys(ENTRY_POINTS)) {
    const spec = podSpecOf(name);
    assert.ok(find(all, 'ServiceAccount', spec.serviceAccountName), `${name}: ServiceAccount ${spec.serviceAccountName}`);
  }
  assert.equal((find(all, 'ServiceAccount', 'reindex-window') as any).automountServiceAccountToken, false);
  for (const binding of [...ofKind('ClusterRoleBinding'), ...ofKind('RoleBinding')]) {
    assert.ok(find(all, binding.roleRef.kind, binding.roleRef.name), `${binding.metadata.name}: role ${binding.roleRef.name}`);
    for (const subject of binding.subjects) {
      if (subject.kind === 'ServiceAccount') assert.ok(find(all, 'ServiceAccount', subject.name), `${binding.metadata.name}: ${subject.name}`);
    }
  }
});

test('the controller is one replica with leader election permissions on a Lease', () => {
  const controller = find(all, 'Deployment', 'reindex-controller') as any;
  assert.equal(controller.spec.replicas, 1);
  const role = find(all, 'Role', 'activity-reindex-controller') as any;
  const leases = role.rules.find((r: any) => r.apiGroups.includes('coordination.k8s.io') && r.resources.includes('leases'));
  assert.ok(leases, 'the controller may use Leases in its namespace');
  const env = containerOf('reindex-controller').env.map((e: any) => e.name);
  assert.ok(env.includes('POD_NAME') && env.includes('POD_NAMESPACE'), 'the Lease holder identity and namespace come from the downward API');
});

test('the people roles let operators run jobs and the status page only read', () => {
  const operator = find(all, 'ClusterRole', 'activity-reindex-operator') as any;
  const viewer = find(all, 'ClusterRole', 'activity-reindex-viewer') as any;
  const verbsOn = (role: any, resource: string) => role.rules.filter((r: any) => r.resources.includes(resource)).flatMap((r: any) => r.verbs);
  for (const verb of ['create', 'get', 'list', 'watch', 'patch', 'delete']) assert.ok(verbsOn(operator, 'reindexjobs').includes(verb), `operator may ${verb}`);
  assert.ok(!verbsOn(operator, 'reindexjobs/status').some((v: string) => v !== 'get'), 'operators do not write status');
  for (const rule of viewer.rules) assert.deepEqual([...rule.verbs].sort(), ['get', 'list', 'watch']);
  assert.equal(operator.metadata.labels['rbac.authorization.k8s.io/aggregate-to-edit'], 'true');
  assert.equal(viewer.metadata.labels['rbac.authorization.k8s.io/aggregate-to-view'], 'true');
});

// -- the image ------------------------------------------------------------


test('each workload runs its entry point from the one image', () => {
  const images = new Set<string>();
  for (const [name, entry] of Object.entries(ENTRY_POINTS)) {
    const container = containerOf(name);
    images.add(container.image);
    assert.deepEqual(container.args, [compiled(entry)], `${name} runs ${compiled(entry)}`);
    assert.equal(container.command, undefined, `${name} keeps the image's node entrypoint`);
  }
  assert.deepEqual([...images], ['activity-reindex']);
  const k = loadYamlFile(join(KNATIVE_DIR, 'kustomization.yaml'))[0] as any;
  assert.ok(k.images.some((i: any) => i.name === 'activity-reindex' && i.newName), 'the kustomization pins the image');
});

test('the entry points exist and their sources reach the image build', (t) => {
  const missing = Object.values(ENTRY_POINTS).filter((entry) => !existsSync(join(ROOT, entry)));
  if (missing.length > 0) return t.skip(`not written yet: ${missing.join(', ')}`);
  const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
  for (const entry of [...Object.values(ENTRY_POINTS), 'bin/reindex.js']) {
    assert.ok(ignore.includes(`!${entry.split('/')[0]}`), `.dockerignore lets ${entry} into the build`);
  }
  const build = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8').replace(/^\s*\/\/.*$/gm, ''));
  for (const entry of Object.values(ENTRY_POINTS)) {
    assert.ok(build.include.includes(`${entry.split('/')[0]}/**/*.ts`), `npm run build compiles ${entry}`);
  }
});

test('the Dockerfile builds a non-root image from locked production dependencies', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const instructions = dockerfile.split('\n').filter((l) => l && !l.startsWith('#'));
  const froms = instructions.filter((l) => l.startsWith('FROM '));
  for (const from of froms) assert.match(from, /^FROM node:\$\{NODE_VERSION\}-slim/);
  assert.match(dockerfile, /^ARG NODE_VERSION=(20|22)$/m);
  assert.match(dockerfile, /^RUN npm ci --omit=dev --omit=optional --ignore-scripts\b/m);
  assert.match(dockerfile, /^RUN npm run build\b/m);
  const lastUser = instructions.filter((l) => l.startsWith('USER ')).at(-1);
  assert.equal(lastUser, 'USER node');
  // USER comes after the last COPY/RUN of the final stage, so nothing the app runs as can rewrite it.
  const finalStage = instructions.slice(instructions.lastIndexOf(froms.at(-1)!));
  assert.ok(finalStage.indexOf('USER node') > Math.max(...finalStage.map((l, i) => (/^(COPY|RUN) /.test(l) ? i : -1))));
  assert.match(dockerfile, /^ENTRYPOINT \["node"\]$/m);
  assert.match(dockerfile, /^CMD \["bin\/reindex\.js"/m);
  // The final stage takes compiled JavaScript only: no sources, tests or stand-ins.
  const copies = finalStage.filter((l) => l.startsWith('COPY ')).map((l) => l.replace(/^COPY (--from=\S+ )?/, '').split(' ')[0]);
  assert.deepEqual(copies.sort(), ['/app/dist', '/app/node_modules', 'bin', 'package.json']);
  assert.match(dockerfile, /rm -rf dist\/local dist\/bench\b/);
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  assert.equal(pkg.dependencies.tsx, undefined, 'production runs compiled JavaScript: tsx is a dev dependency');
  assert.ok(pkg.devDependencies.tsx);
  assert.ok(existsSync(join(ROOT, 'package-lock.json')), 'npm ci needs the lockfile');
});

// -- env names ↔ main.ts --------------------------------------------------

/** Read by the Node runtime itself, not by an entry point. */
const RUNTIME_ENV = new Set(['NODE_OPTIONS']);

test('every env variable a manifest sets is one its entry point reads (or Node itself)', (t) => {
  const landed = Object.entries(ENTRY_POINTS).filter(([, entry]) => existsSync(join(ROOT, entry)));
  if (landed.length === 0) return t.skip('no entry point written yet');
  const problems: string[] = [];
  for (const [name, entry] of landed) {
    const read = envNamesRead(join(ROOT, entry));
    for (const e of containerOf(name).env ?? []) {
      if (!read.has(e.name) && !RUNTIME_ENV.has(e.name)) problems.push(`${name} sets ${e.name}, which ${entry} never reads`);
    }
  }
  assert.deepEqual(problems, []);
});

// -- NATS and Vector ------------------------------------------------------

const natsDir = join(KNATIVE_DIR, 'nats');
const nackDocs = loadYamlFile(join(natsDir, 'activities-reindex-stream.yaml'));
const nackStream = nackDocs.find((d) => d.kind === 'Stream') as any;
const nackConsumer = nackDocs.find((d) => d.kind === 'Consumer') as any;
const cliStream = JSON.parse(readFileSync(join(natsDir, 'activities-reindex-stream.json'), 'utf8'));
const cliConsumer = JSON.parse(readFileSync(join(natsDir, 'clickhouse-ingest-reindex-consumer.json'), 'utf8'));

test('the stream files say what shared/nats/stream-config.ts creates', () => {
  const code = streamConfig() as any;
  for (const key of ['name', 'subjects', 'retention', 'storage', 'discard', 'max_age', 'duplicate_window']) {
    assert.deepEqual(cliStream[key], code[key], `activities-reindex-stream.json ${key}`);
  }
  assert.equal(nackStream.apiVersion, 'jetstream.nats.io/v1beta2');
  assert.equal(nackStream.spec.name, code.name);
  assert.deepEqual(nackStream.spec.subjects, code.subjects);
  assert.equal(nackStream.spec.storage, code.storage);
  assert.equal(nackStream.spec.retention, code.retention);
  assert.equal(goDurationNanos(nackStream.spec.maxAge), code.max_age);
  assert.equal(goDurationNanos(nackStream.spec.duplicateWindow), code.duplicate_window);
  assert.equal(nackStream.spec.replicas, cliStream.num_replicas);
  assert.equal(nackConsumer.spec.streamName, code.name);
  assert.equal(nackConsumer.spec.durableName, cliConsumer.durable_name);
  assert.equal(nackConsumer.spec.filterSubject, cliConsumer.filter_subject);
  assert.equal(nackConsumer.spec.ackPolicy, cliConsumer.ack_policy);
  assert.equal(goDurationNanos(nackConsumer.spec.ackWait), cliConsumer.ack_wait);
});

test('Vector reads the stream through the durable consumer into audit.activities', () => {
  const vector = loadYamlFile(join(KNATIVE_DIR, 'vector', 'activities-reindex.yaml'))[0] as any;
  const sources = Object.values<any>(vector.sources).filter((s) => s.type === 'nats');
  assert.equal(sources.length, 1);
  const [source] = sources;
  assert.deepEqual([source.subject], streamConfig().subjects);
  assert.equal(source.jetstream.stream, streamConfig().name);
  assert.equal(source.jetstream.consumer, cliConsumer.durable_name);
  const sinks = Object.values<any>(vector.sinks).filter((s) => s.type === 'clickhouse');
  assert.equal(sinks.length, 1);
  assert.equal(`${sinks[0].database}.${sinks[0].table}`, 'audit.activities');
  assert.deepEqual(sinks[0].encoding.only_fields, ['activity_json']);
  // The sink's inputs lead back to the nats source.
  const sourceName = Object.entries<any>(vector.sources).find(([, s]) => s === source)![0];
  const upstream = (name: string): string[] => (vector.transforms[name] ? vector.transforms[name].inputs.flatMap(upstream) : [name]);
  assert.deepEqual(sinks[0].inputs.flatMap(upstream), [sourceName]);
  const migrations = existsSync(join(ROOT, 'migrations')) ? sourceFiles(join(ROOT, 'migrations'), '.sql') : [];
  const sql = migrations.map((f) => readFileSync(f, 'utf8')).join('\n');
  if (/\bactivities\b/.test(sql)) assert.match(sql, /\bactivity_json\b/, 'the activities table has the column Vector writes');
});

// -- dashboards and alerts ↔ metrics -------------------------------------

test('dashboards and alert rules use only metric names the code exports', () => {
  const exported = exportedMetricNames();
  assert.ok(exported.size > 0, 'shared/metrics exports activity_reindex_* metrics');
  const rules = loadYamlFile(join(KNATIVE_DIR, 'components/prometheus-monitoring/prometheus-rules.yaml'))[0] as any;
  assert.equal(rules.apiVersion, 'monitoring.coreos.com/v1');
  assert.equal(rules.kind, 'PrometheusRule');
  const exprs: string[] = [];
  for (const group of rules.spec.groups) {
    for (const rule of group.rules) {
      assert.ok(rule.alert || rule.record, `${group.name}: a rule is an alert or a recording`);
      if (rule.alert) {
        assert.ok(rule.labels?.severity && rule.annotations?.summary, `${rule.alert}: severity and summary`);
        assert.match(rule.for ?? '0s', /^\d+[smh]$/, `${rule.alert}: for`);
      }
      exprs.push(rule.expr);
    }
  }
  const dashboard = JSON.parse(readFileSync(join(ROOT, 'observability', 'grafana-dashboard.json'), 'utf8'));
  for (const panel of dashboard.panels) for (const target of panel.targets ?? []) exprs.push(target.expr);
  const recorded = new Set<string>(rules.spec.groups.flatMap((g: any) => g.rules.map((r: any) => r.record)).filter(Boolean));
  const unknown = new Set<string>();
  for (const expr of exprs) {
    for (const [name] of expr.matchAll(/\bactivity_reindex_[a-z0-9_:]+/g)) {
      if (!recorded.has(name) && !seriesOf(exported).has(name)) unknown.add(name);
    }
  }
  assert.deepEqual([...unknown], [], `names not exported by the code (exported: ${[...exported].join(', ')})`);
  for (const alert of ['ReindexJobFailed', 'ReindexJobStalled', 'ReindexWindowsDeadLettered', 'ReindexWindowErrorRateHigh', 'ReindexWaitingForSink']) {
    assert.ok(rules.spec.groups.some((g: any) => g.rules.some((r: any) => r.alert === alert)), `alert ${alert}`);
  }
});

// -- helpers --------------------------------------------------------------

function podSpecOf(name: string): any {
  const doc = (knativeServices.find((s) => s.metadata.name === name) ?? find(all, 'Deployment', name)) as any;
  assert.ok(doc, `workload ${name}`);
  return doc.spec.template.spec;
}

function containerOf(name: string): any {
  return podSpecOf(name).containers[0];
}

function sourceFiles(dir: string, ext = '.ts'): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(ext) && !e.name.endsWith('.test.ts'))
    .map((e) => join(e.parentPath, e.name));
}

/** UPPER_CASE names an entry point (and the local modules it imports) mentions: the env it can read. */
function envNamesRead(entry: string, seen = new Set<string>()): Set<string> {
  const names = new Set<string>();
  if (seen.has(entry) || !existsSync(entry)) return names;
  seen.add(entry);
  const text = readFileSync(entry, 'utf8');
  for (const [name] of text.matchAll(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b|\bPORT\b/g)) names.add(name);
  for (const [, spec] of text.matchAll(/from\s+['"](\.[^'"]+)['"]/g)) {
    const path = join(entry, '..', spec.replace(/\.js$/, '.ts'));
    for (const n of envNamesRead(path, seen)) names.add(n);
  }
  return names;
}

function exportedMetricNames(): Set<string> {
  const names = new Set<string>();
  const files = ['shared/metrics', 'controller', 'functions'].flatMap((d) => sourceFiles(join(ROOT, d)));
  for (const file of files) {
    for (const [, name] of readFileSync(file, 'utf8').matchAll(/name:\s*['"`](activity_reindex_[a-z0-9_]+)['"`]/g)) names.add(name);
  }
  return names;
}

/** The series a metric name exposes: histograms and summaries add suffixes. */
function seriesOf(names: Set<string>): Set<string> {
  const out = new Set<string>();
  for (const n of names) for (const suffix of ['', '_bucket', '_sum', '_count']) out.add(n + suffix);
  return out;
}

function goDurationNanos(text: string): number {
  const units: Record<string, number> = { h: 3600e9, m: 60e9, s: 1e9, ms: 1e6 };
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) total += Number(n) * units[unit];
  return total;
}
