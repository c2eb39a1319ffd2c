// A pass-through proxy in front of the Kubernetes API stand-in that counts
// what the control plane asks of it: requests by verb, and per object the
// writes and the size of the object each write left stored (what etcd
// would write). Watches stream through untouched.
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isNamespacedUnlessNamespaceSubresource, parseResourcePath, rbacVerb } from '../local/kube-api-server/resource-path.js';

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

export async function startApiTrafficProxy(target: string): Promise<ApiTraffic> {
  const upstream = new URL(target);
  const verbs: Record<string, number> = {};
  const conflicts: Record<string, number> = {};
  const objects = new Map<string, ObjectWrites>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const path = parseResourcePath(url.pathname, isNamespacedUnlessNamespaceSubresource);
    // Discovery (/api, /apis/<group>/<version>, /version) is no resource: a plain read.
    const verb = path ? rbacVerb(req.method ?? 'GET', Boolean(path.name), url.searchParams) : (req.method ?? 'GET').toLowerCase();
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
          const named = `${path?.resource ?? 'unknown'}/${name}`;
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

