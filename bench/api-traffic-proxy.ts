// Counts what the control plane asks of the Kubernetes API stand-in, through
// a forwarding proxy: requests by verb, and per object the writes and the
// size of the object each write left stored (what etcd would write).
import { startForwardingProxy } from './forwarding-proxy.js';
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
  const verbs: Record<string, number> = {};
  const conflicts: Record<string, number> = {};
  const objects = new Map<string, ObjectWrites>();
  const proxy = await startForwardingProxy(target, (req) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const path = parseResourcePath(url.pathname, isNamespacedUnlessNamespaceSubresource);
    // Discovery (/api, /apis/<group>/<version>, /version) is no resource: a plain read.
    const verb = path ? rbacVerb(req.method ?? 'GET', Boolean(path.name), url.searchParams) : (req.method ?? 'GET').toLowerCase();
    verbs[verb] = (verbs[verb] ?? 0) + 1;
    return (answer) => {
      if (answer.statusCode === 409) conflicts[verb] = (conflicts[verb] ?? 0) + 1;
      if (!['create', 'update', 'patch'].includes(verb) || (answer.statusCode ?? 500) >= 300) return;
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => {
        // A write answers with the object as stored: its size is what etcd would write.
        const body = Buffer.concat(chunks);
        let name = '?';
        try {
          name = (JSON.parse(body.toString('utf8')) as { metadata?: { name?: string } }).metadata?.name ?? '?';
        } catch {
          // not JSON: counted under "?"
        }
        const named = `${path?.resource ?? 'unknown'}/${name}`;
        const entry = objects.get(named) ?? { writes: 0, bytes: 0, maxBytes: 0 };
        entry.writes += 1;
        entry.bytes += body.length;
        entry.maxBytes = Math.max(entry.maxBytes, body.length);
        objects.set(named, entry);
      });
    };
  });
  return { url: proxy.url, verbs, conflicts, objects, close: proxy.close };
}
