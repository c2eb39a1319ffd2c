import { readFileSync } from 'node:fs';
import type { ClickHouseClient } from '@clickhouse/client';
import { splitStatements } from '../../migrations/split-statements.js';

const SCHEMA = new URL('../fixtures/production-layout/schema.sql', import.meta.url);

/** Lays the database out as the Activity system's migrations 001-009 leave it (DESIGN.md §4.4, "Production"), ledger rows 1-9 included. */
export async function createProductionLayout(client: ClickHouseClient): Promise<void> {
  for (const statement of splitStatements(readFileSync(SCHEMA, 'utf8'))) await client.command({ query: statement });
}

/** Each table's engine, sorting key and full engine text, to show a run rebuilt nothing. */
export async function tableShapes(client: ClickHouseClient, database = 'audit'): Promise<Record<string, string>> {
  const rs = await client.query({
    query: 'SELECT name, engine_full, toString(metadata_modification_time) AS changed FROM system.tables WHERE database = {database:String} ORDER BY name',
    query_params: { database },
    format: 'JSONEachRow',
  });
  return Object.fromEntries((await rs.json<{ name: string; engine_full: string; changed: string }>()).map((t) => [t.name, `${t.engine_full} @ ${t.changed}`]));
}
