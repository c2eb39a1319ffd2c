import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { DEFAULT_TABLES } from '../shared/clickhouse/source-tables.js';
import { addGlobalOptions, globalOptions } from './global-options.js';

function parsed(args: string[]): Command {
  return addGlobalOptions(new Command('reindex')).exitOverride().parse(args, { from: 'user' });
}

test('flags win over the environment given, which wins over the defaults', () => {
  const env = { NATS_URL: 'nats://env:4222', REINDEX_DATA_DIR: '/env/data', REINDEX_ACTIVITIES_TABLE: 'staging.activities' };
  const g = globalOptions(parsed(['--nats-url', 'nats://flag:4222']), env);
  assert.equal(g.natsUrl, 'nats://flag:4222');
  assert.equal(g.dataDir, '/env/data');
  assert.deepEqual(g.tables, { ...DEFAULT_TABLES, activities: 'staging.activities' });
});

test('reads only the environment it is given', () => {
  const g = globalOptions(parsed([]), {});
  assert.equal(g.dataDir, './.reindex');
  assert.equal(g.natsUrl, undefined);
  assert.deepEqual(g.tables, DEFAULT_TABLES);
});
