import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Trigger } from './knative-eventing.js';
import { triggerMatches, unsupportedFilter } from './trigger-filter.js';

const requested = {
  specversion: '1.0',
  id: 'uid-w3',
  source: '/controller/reindexjobs/backfill',
  type: 'com.miloapis.activity.reindex.window.requested',
  subject: 'reindexjobs/backfill/windows/3',
  reindexjob: 'backfill',
  reindexwindow: '3',
};

function spec(extra: Partial<Trigger['spec']>): Trigger['spec'] {
  return { broker: 'activity-reindex', subscriber: { uri: 'http://127.0.0.1:1' }, ...extra };
}

test('a trigger without filters selects every event', () => {
  assert.equal(triggerMatches(spec({}), requested), true);
});

test('attribute filters match exactly on every listed attribute, extensions included', () => {
  assert.equal(triggerMatches(spec({ filter: { attributes: { type: requested.type, reindexjob: 'backfill' } } }), requested), true);
  assert.equal(triggerMatches(spec({ filter: { attributes: { type: requested.type, reindexjob: 'other' } } }), requested), false);
  assert.equal(triggerMatches(spec({ filter: { attributes: { type: 'com.miloapis.activity.reindex.window' } } }), requested), false);
});

test('an empty attribute value matches any value but still needs the extension to be present', () => {
  assert.equal(triggerMatches(spec({ filter: { attributes: { reindexjob: '' } } }), requested), true);
  assert.equal(triggerMatches(spec({ filter: { attributes: { missingext: '' } } }), requested), false);
});

test('exact filters compare whole values', () => {
  assert.equal(triggerMatches(spec({ filters: [{ exact: { type: requested.type } }] }), requested), true);
  assert.equal(triggerMatches(spec({ filters: [{ exact: { reindexwindow: '4' } }] }), requested), false);
  assert.equal(triggerMatches(spec({ filters: [{ exact: { nosuchext: 'x' } }] }), requested), false);
});

test('prefix and suffix filters compare the start and the end', () => {
  assert.equal(triggerMatches(spec({ filters: [{ prefix: { type: 'com.miloapis.activity.reindex.' } }] }), requested), true);
  assert.equal(triggerMatches(spec({ filters: [{ prefix: { type: 'com.example.' } }] }), requested), false);
  assert.equal(triggerMatches(spec({ filters: [{ suffix: { type: '.window.requested' } }] }), requested), true);
  assert.equal(triggerMatches(spec({ filters: [{ suffix: { type: '.window.completed' } }] }), requested), false);
  assert.equal(triggerMatches(spec({ filters: [{ prefix: { nosuchext: '' } }] }), requested), false);
});

test('all needs every nested filter, any needs one, not inverts', () => {
  const completed = { ...requested, type: 'com.miloapis.activity.reindex.window.completed' };
  const failed = { ...requested, type: 'com.miloapis.activity.reindex.window.failed' };
  const results = spec({
    filters: [{ any: [{ suffix: { type: '.completed' } }, { suffix: { type: '.failed' } }] }],
  });
  assert.equal(triggerMatches(results, completed), true);
  assert.equal(triggerMatches(results, failed), true);
  assert.equal(triggerMatches(results, requested), false);

  const both = spec({ filters: [{ all: [{ prefix: { type: 'com.miloapis.' } }, { exact: { reindexjob: 'backfill' } }] }] });
  assert.equal(triggerMatches(both, requested), true);
  assert.equal(triggerMatches(both, { ...requested, reindexjob: 'other' }), false);

  const notRequested = spec({ filters: [{ not: { exact: { type: requested.type } } }] });
  assert.equal(triggerMatches(notRequested, requested), false);
  assert.equal(triggerMatches(notRequested, completed), true);
});

test('the entries of filters are ANDed, and filters wins over filter', () => {
  const s = spec({
    filter: { attributes: { type: 'never.matches' } },
    filters: [{ prefix: { type: 'com.miloapis.' } }, { exact: { reindexwindow: '3' } }],
  });
  assert.equal(triggerMatches(s, requested), true);
  assert.equal(triggerMatches(s, { ...requested, reindexwindow: '2' }), false);
});

test('an empty filters list falls back to the attribute filter', () => {
  assert.equal(triggerMatches(spec({ filters: [], filter: { attributes: { type: 'x' } } }), requested), false);
});

test('CESQL filters are reported as unsupported, even nested', () => {
  assert.equal(unsupportedFilter(spec({ filters: [{ not: { cesql: "type = 'x'" } }] })), 'cesql');
  assert.equal(unsupportedFilter(spec({ filters: [{ exact: { type: 'x' } }] })), undefined);
});
