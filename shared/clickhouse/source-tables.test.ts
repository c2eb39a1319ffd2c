import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_TABLES, sourceTable, sourceTablesFromEnv } from './source-tables.js';

test('the defaults are the tables of DESIGN.md, whatever the environment of the importing process', () => {
  assert.deepEqual(DEFAULT_TABLES, { auditLogs: 'audit.audit_logs', k8sEvents: 'audit.k8s_events', activities: 'audit.activities' });
  assert.ok(Object.isFrozen(DEFAULT_TABLES));
});

test('reads each table name from its environment variable, defaulting the unset and the blank', () => {
  assert.deepEqual(sourceTablesFromEnv({}), DEFAULT_TABLES);
  assert.deepEqual(sourceTablesFromEnv({ REINDEX_AUDIT_TABLE: 'staging.audit', REINDEX_EVENTS_TABLE: ' ', REINDEX_ACTIVITIES_TABLE: 'staging.activities' }), {
    auditLogs: 'staging.audit',
    k8sEvents: 'audit.k8s_events',
    activities: 'staging.activities',
  });
});

test('rejects a table name that is not a plain database.table, naming the variable', () => {
  assert.throws(() => sourceTablesFromEnv({ REINDEX_EVENTS_TABLE: 'events; DROP TABLE x' }), /^Error: REINDEX_EVENTS_TABLE: Table name .* must be a plain <database>\.<table>/);
  assert.throws(() => sourceTablesFromEnv({ REINDEX_AUDIT_TABLE: 'audit_logs' }), /REINDEX_AUDIT_TABLE/);
});

test('names the table of each source', () => {
  assert.equal(sourceTable(DEFAULT_TABLES, 'audit'), 'audit.audit_logs');
  assert.equal(sourceTable(DEFAULT_TABLES, 'event'), 'audit.k8s_events');
});

test('reads time and id column overrides per source, leaving the rest to detection', () => {
  assert.deepEqual(sourceTablesFromEnv({ REINDEX_EVENTS_TIME_COLUMN: 'event_time', REINDEX_AUDIT_ID_COLUMN: 'request_id' }).columns, {
    audit: { id: 'request_id' },
    event: { time: 'event_time' },
  });
  assert.equal(sourceTablesFromEnv({}).columns, undefined);
  assert.throws(() => sourceTablesFromEnv({ REINDEX_AUDIT_TIME_COLUMN: 'ts, 1' }), /REINDEX_AUDIT_TIME_COLUMN/);
});
