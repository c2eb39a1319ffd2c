import { mkdirSync } from 'node:fs';
import { createClient, type ClickHouseClient } from '@clickhouse/client';

type ClientConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>;

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
    engine = { path, client: createClient({ connection: lazyChdbConnection(path) }), refs: 0 };
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

/**
 * chDB's connection, opened on the first call. chDB is ~150 MB of native
 * engine: importing it only here, on first use, keeps it out of every
 * process that talks to a ClickHouse server (CLICKHOUSE_URL), whatever
 * module graph it loaded.
 */
function lazyChdbConnection(path: string): ClientConnection {
  let opened: Promise<ClientConnection> | undefined;
  const open = () =>
    (opened ??= import('chdb/connection').then(
      // chdb implements @clickhouse/client-common's Connection contract, but
      // against its own copy of the type declarations, hence the cast.
      ({ createChdbConnection }) => createChdbConnection({ path }) as unknown as ClientConnection,
    ));
  return {
    ping: async (params) => (await open()).ping(params),
    query: async (params) => (await open()).query(params),
    insert: async (params) => (await open()).insert(params),
    command: async (params) => (await open()).command(params),
    exec: async (params) => (await open()).exec(params),
    close: async () => {
      if (opened) await (await opened).close();
    },
  };
}
