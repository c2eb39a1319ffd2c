import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateDemoData } from './generate-demo-data.js';

const now = new Date('2026-03-10T12:00:00.000Z');
const data = generateDemoData({ events: 5000, days: 3, now, seed: 7 });
const parse = (rows: string[]) => rows.flatMap((r) => { try { return [JSON.parse(r) as Record<string, any>]; } catch { return []; } });
const audits = parse(data.auditLogs);
const events = parse(data.k8sEvents);

test('is deterministic for a seed and differs between seeds', () => {
  assert.deepEqual(generateDemoData({ events: 300, days: 1, now, seed: 7 }), generateDemoData({ events: 300, days: 1, now, seed: 7 }));
  assert.notDeepEqual(generateDemoData({ events: 300, days: 1, now, seed: 7 }), generateDemoData({ events: 300, days: 1, now, seed: 8 }));
});

test('splits about 70% audit logs and 30% Events', () => {
  assert.equal(data.auditLogs.length + data.k8sEvents.length, 5000);
  const share = data.auditLogs.length / 5000;
  assert.ok(share > 0.66 && share < 0.74, `audit share ${share}`);
});

test('includes about one malformed row per thousand, at least one in a thousand rows', () => {
  const malformed = data.auditLogs.length + data.k8sEvents.length - audits.length - events.length;
  assert.equal(malformed, 5);
  const small = generateDemoData({ events: 1000, days: 1, now });
  assert.equal([...small.auditLogs, ...small.k8sEvents].filter((r) => { try { JSON.parse(r); return false; } catch { return true; } }).length, 1);
});

test('spreads rows over the last d days, never in the future', () => {
  const start = now.getTime() - 3 * 86_400_000;
  for (const a of audits) {
    const t = Date.parse(a.requestReceivedTimestamp);
    assert.ok(t >= start && t < now.getTime(), a.requestReceivedTimestamp);
    assert.match(a.requestReceivedTimestamp, /\.\d{6}Z$/);
  }
  for (const e of events) {
    const t = Date.parse(e.eventTime ?? e.lastTimestamp);
    assert.ok(t >= start - 1000 && t < now.getTime());
  }
  const firstHalf = audits.filter((a) => Date.parse(a.requestReceivedTimestamp) < start + 1.5 * 86_400_000).length;
  assert.ok(firstHalf > audits.length * 0.4 && firstHalf < audits.length * 0.6);
});

test('covers core, apps, batch, networking and rbac resources with create, update, patch, delete and get', () => {
  const groups = new Set(audits.map((a) => a.objectRef.apiGroup ?? ''));
  for (const g of ['', 'apps', 'batch', 'networking.k8s.io', 'rbac.authorization.k8s.io']) assert.ok(groups.has(g), `group ${g || 'core'}`);
  const verbs = new Set(audits.map((a) => a.verb));
  for (const v of ['create', 'update', 'patch', 'delete', 'get']) assert.ok(verbs.has(v), v);
  assert.ok(audits.some((a) => a.objectRef.subresource === 'scale'));
});

test('has humans with tenant extras, service accounts and system users', () => {
  const users = audits.map((a) => a.user);
  assert.ok(users.some((u) => u.extra?.['iam.miloapis.com/parent-type']?.[0] === 'Project' && u.extra['iam.miloapis.com/parent-name']?.[0]));
  assert.ok(users.some((u) => u.extra?.['iam.miloapis.com/parent-type']?.[0] === 'Organization'));
  assert.ok(users.some((u) => u.username.startsWith('system:serviceaccount:')));
  assert.ok(users.some((u) => u.username.startsWith('system:') && !u.username.startsWith('system:serviceaccount:')));
});

test('has events.k8s.io/v1 Events with series and related objects, and core v1 Events', () => {
  const v1 = events.filter((e) => e.apiVersion === 'events.k8s.io/v1');
  const core = events.filter((e) => e.apiVersion === 'v1');
  assert.ok(v1.length > core.length && core.length > 0);
  assert.ok(v1.some((e) => e.series?.count > 1 && e.series.lastObservedTime));
  assert.ok(v1.some((e) => e.related?.kind === 'Node'));
  assert.ok(core.every((e) => e.involvedObject?.kind && e.lastTimestamp && e.source?.component));
  const kinds = new Set(v1.map((e) => e.regarding.kind));
  for (const k of ['Pod', 'Deployment', 'ReplicaSet', 'Job', 'Node']) assert.ok(kinds.has(k), k);
  assert.ok(new Set(events.map((e) => e.metadata.uid)).size === events.length, 'Event uids are unique');
});
