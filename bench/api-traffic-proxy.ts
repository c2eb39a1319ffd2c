// A pass-through proxy in front of the Kubernetes API stand-in that counts
// what the control plane asks of it: requests by verb, and per object the
// writes and the size of the object each write left stored (what etcd
// would write). Watches stream through untouched.
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ObjectWrites {
  writes: number;
  /** Sum of the stored object's size after each write. */
  bytes: number;
  /** The largest the object was after any write. */
  maxBytes: number;
}

export interface ApiTraffic {
  url: string;
  /** get, list, watch, create, update, patch, delete → count. */
  readonly verbs: Record<string, number>;
  /** Conflicts (409) by verb. */
  readonly conflicts: Record<string, number>;
  /** "<resource>/<name>" (status folded into its object) → writes. */
  readonly objects: Map<string, ObjectWrites>;
  close(): Promise<void>;
}

function verbOf(method: string, url: URL, path: string[]): string {
  if (method === 'POST') return 'create';
  if (method === 'PUT') return 'update';
  if (method === 'PATCH') return 'patch';
  if (method === 'DELETE') return 'delete';
  if (url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1') return 'watch';
  // /api/v1/namespaces/<ns>/configmaps (list) vs …/configmaps/<name> (get); cluster-scoped: /apis/<g>/<v>/<plural>[/<name>].
  const rest = path[0] === 'api' ? path.slice(2) : path.slice(3);
  const scoped = rest[0] === 'namespaces' && rest.length >= 3 ? rest.slice(2) : rest;
  return scoped.length >= 2 ? 'get' : 'list';
}

function resourceOf(path: string[]): string {
  const rest = path[0] === 'api' ? path.slice(2) : path.slice(3);
  const scoped = rest[0] === 'namespaces' && rest.length >= 3 ? rest.slice(2) : rest;
  return scoped[0] ?? 'unknown';
}

export async function startApiTrafficProxy(target: string): Promise<ApiTraffic> {
  const upstream = new URL(target);
  const verbs: Record<string, number> = {};
  const conflicts: Record<string, number> = {};
  const objects = new Map<string, ObjectWrites>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const path = url.pathname.split('/').filter(Boolean);
    const verb = verbOf(req.method ?? 'GET', url, path);
    verbs[verb] = (verbs[verb] ?? 0) + 1;
    const forward = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer: IncomingMessage) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        res.flushHeaders(); // a watch answers headers first and events later: pass the headers on now
        if (answer.statusCode === 409) conflicts[verb] = (conflicts[verb] ?? 0) + 1;
        const write = ['create', 'update', 'patch'].includes(verb) && (answer.statusCode ?? 500) < 300;
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => {
          if (write) chunks.push(chunk);
          res.write(chunk);
        });
        answer.on('end', () => {
          res.end();
          if (!write) return;
          // A write answers with the object as stored: its size is what etcd would write.
          const body = Buffer.concat(chunks);
          const size = body.length;
          let name = '?';
          try {
            name = (JSON.parse(body.toString('utf8')) as { metadata?: { name?: string } }).metadata?.name ?? '?';
          } catch {
            // not JSON: counted under "?"
          }
          const named = `${resourceOf(path)}/${name}`;
          const entry = objects.get(named) ?? { writes: 0, bytes: 0, maxBytes: 0 };
          entry.writes += 1;
          entry.bytes += size;
          entry.maxBytes = Math.max(entry.maxBytes, size);
          objects.set(named, entry);
        });
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
    res.on('close', () => forward.destroy());
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    verbs,
    conflicts,
    objects,
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

