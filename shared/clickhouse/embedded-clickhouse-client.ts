import { mkdirSync } from 'node:fs';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';

type ClientConnection = NonNullable<Parameters<typeof createClient>[0]>['connection'];

// chDB binds one data directory per process. Every caller in the process
// shares one engine; each gets its own handle whose close() only drops its
// reference, so one component closing cannot pull the engine from under the
// others (DESIGN.md §6). The engine closes with the last handle.
let engine: { path: string; client: ClickHouseClient; refs: number } | undefined;

/** A handle on the process's embedded engine at `path` (absolute, created if missing). */
export function acquireEmbeddedClient(path: string): ClickHouseClient {
  if (engine && engine.path !== path) {
    throw new Error(
      `The embedded ClickHouse (chDB) of this process is bound to ${engine.path}; it cannot also open ${path}. ` +
        'Use one REINDEX_DATA_DIR per process, or set CLICKHOUSE_URL to use a server.',
    );
  }
  if (!engine) {
    mkdirSync(path, { recursive: true });
    // chdb implements @clickhouse/client-common's Connection contract, but
    // against its own copy of the type declarations, hence the cast.
    const connection = createChdbConnection({ path }) as unknown as ClientConnection;
    engine = { path, client: createClient({ connection }), refs: 0 };
  }
  const current = engine;
  current.refs++;
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    if (--current.refs > 0) return;
    if (engine === current) engine = undefined;
    await current.client.close();
  };
  return new Proxy(current.client, {
    get(target, prop) {
      if (prop === 'close') return close;
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
