import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { readAhead } from './read-ahead.js';

test('asks for the next item before the current one is consumed', async () => {
  const log: string[] = [];
  async function* source() {
    for (let i = 0; i < 3; i++) {
      log.push(`fetch ${i}`);
      yield i;
    }
  }
  for await (const item of readAhead(source())) {
    await sleep(5);
    log.push(`use ${item}`);
  }
  assert.deepEqual(log, ['fetch 0', 'fetch 1', 'use 0', 'fetch 2', 'use 1', 'use 2']);
});

test('passes a failure of the source to the consumer', async () => {
  async function* source() {
    yield 1;
    throw new Error('ClickHouse went away');
  }
  const seen: number[] = [];
  await assert.rejects(async () => {
    for await (const item of readAhead(source())) seen.push(item);
  }, /ClickHouse went away/);
  assert.deepEqual(seen, [1]);
});

test('closes the source when the consumer stops early', async () => {
  let closed = false;
  async function* source() {
    try {
      for (let i = 0; ; i++) yield i;
    } finally {
      closed = true;
    }
  }
  for await (const item of readAhead(source())) if (item === 2) break;
  await sleep(5);
  assert.equal(closed, true);
});
