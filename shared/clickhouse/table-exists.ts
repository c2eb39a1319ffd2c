import type { ClickHouseClient } from '@clickhouse/client';
import { tableParams } from './table-params.js';

/** Whether `<database>.<table>` exists (system.tables), without touching it. */
export async function tableExists(client: ClickHouseClient, qualified: string): Promise<boolean> {
  const rs = await client.query({
    query: 'SELECT count() AS n FROM system.tables WHERE database = {db:String} AND name = {table:String}',
    query_params: tableParams(qualified),
    format: 'JSONEachRow',
  });
  return Number((await rs.json<{ n: string | number }>())[0]?.n ?? 0) > 0;
}
