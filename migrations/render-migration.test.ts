import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderMigration } from './render-migration.js';
import { splitStatements } from './split-statements.js';

const sql = 'CREATE TABLE audit.t {{ON_CLUSTER}} (x UInt8) ENGINE = {{REPLICATED}}ReplacingMergeTree(x) ORDER BY x';

test('renders plain engines without ON CLUSTER on a single node', () => {
  assert.equal(renderMigration(sql), 'CREATE TABLE audit.t  (x UInt8) ENGINE = ReplacingMergeTree(x) ORDER BY x');
});

test('renders ON CLUSTER and Replicated engines for a cluster', () => {
  assert.equal(
    renderMigration(sql, 'activity'),
    'CREATE TABLE audit.t ON CLUSTER `activity` (x UInt8) ENGINE = ReplicatedReplacingMergeTree(x) ORDER BY x',
  );
});

test('rejects a cluster name that would inject SQL', () => {
  assert.throws(() => renderMigration(sql, 'a` ; DROP'), /Invalid cluster name/);
});

test('splits statements on semicolons outside quotes and comments', () => {
  const parts = splitStatements("-- a; comment\nSELECT ';' AS x;\n/* b; */ SELECT '\\';' AS y ;\n\n");
  assert.deepEqual(parts, ["SELECT ';' AS x", "SELECT '\\';' AS y"]);
});
