// A watch: newline-delimited JSON events on a chunked 200 response. From a
// resourceVersion it replays the kept history after it, or answers an ERROR
// event with a 410 Status when that history was compacted away (the client
// then lists again). Without one it starts with ADDED for every object.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServedResource } from './resource-table.js';
import { resourceKey, type HistoryEntry, type KubeObject, type ObjectStore } from './object-store.js';
import { StatusError } from './status-error.js';

export interface WatchOptions {
  store: ObjectStore;
  resource: ServedResource;
  namespace?: string;
  matches: (o: KubeObject) => boolean;
  resourceVersion?: string;
  /** Bookmark period in ms, when the client allows bookmarks. */
  bookmarks?: number;
  timeoutSeconds?: number;
  /** What a client sees of a stored object (a Table row, the events.k8s.io view); default the object. */
  present?: (o: KubeObject) => object;
}

export interface WatchConnection {
  end(): void;
  bookmark(): void;
  closed: Promise<void>;
}

export function serveWatch(req: IncomingMessage, res: ServerResponse, opts: WatchOptions): WatchConnection {
  const { store, resource } = opts;
  const key = resourceKey(resource);
  const apiVersion = resource.group ? `${resource.group}/${resource.version}` : resource.version;
  const wanted = (o: KubeObject) => (opts.namespace === undefined || o.metadata.namespace === opts.namespace) && opts.matches(o);
  const write = (event: object) => res.write(`${JSON.stringify(event)}\n`);
  const present = opts.present ?? ((o: KubeObject) => o);
  const deliver = (e: HistoryEntry) => {
    if (e.resourceKey === key && wanted(e.object)) write({ type: e.type, object: present(e.object) });
  };

  let resolveClosed!: () => void;
  const closed = new Promise<void>((ok) => (resolveClosed = ok));
  const timers: NodeJS.Timeout[] = [];
  let unsubscribe = () => {};
  const end = () => {
    unsubscribe();
    timers.forEach(clearTimeout);
    if (!res.writableEnded) res.end();
    resolveClosed();
  };
  const bookmark = () => {
    if (opts.bookmarks !== undefined && !res.writableEnded) write({ type: 'BOOKMARK', object: { kind: resource.kind, apiVersion, metadata: { resourceVersion: store.resourceVersion } } });
  };

  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache' });
  res.flushHeaders();
  res.on('close', end);

  const rv = opts.resourceVersion;
  if (rv === undefined || rv === '' || rv === '0') {
    for (const o of store.list(resource, opts.namespace).filter(wanted)) write({ type: 'ADDED', object: present(o) });
  } else {
    const missed = store.since(key, Number(rv));
    if (!missed) {
      const gone = new StatusError('Expired', `too old resource version: ${rv} (${store.resourceVersion})`);
      write({ type: 'ERROR', object: gone.toStatus() });
      end();
      return { end, bookmark, closed };
    }
    missed.forEach(deliver);
  }
  unsubscribe = store.subscribe(deliver);
  if (opts.bookmarks !== undefined) timers.push(setInterval(bookmark, opts.bookmarks));
  if (opts.timeoutSeconds) timers.push(setTimeout(end, opts.timeoutSeconds * 1000));
  return { end, bookmark, closed };
}
