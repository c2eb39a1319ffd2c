// A pass-through HTTP proxy in front of the Kubernetes API stand-in, for
// tools that watch what a component asks of the API server (the control-plane
// bench counts verbs and writes; the RBAC test records every access). Watches
// stream through: headers are passed on at once, the body as it comes.
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream';

export interface ForwardingProxy {
  url: string;
  close(): Promise<void>;
}

/**
 * Sees each request before it is forwarded; may return a function that sees
 * its answer (status, headers, body as it streams). That function is called
 * as the answer starts: listeners it adds then miss no chunk.
 */
export type ObserveRequest = (req: IncomingMessage) => ((answer: IncomingMessage) => void) | void;

export async function startForwardingProxy(target: string, observe: ObserveRequest): Promise<ForwardingProxy> {
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const onAnswer = observe(req);
    const forward = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        // A watch answers headers first and events much later: pass the headers on now.
        res.flushHeaders();
        onAnswer?.(answer);
        // An upstream that drops mid-answer (a watch cut off) drops the client too, so it re-watches.
        pipeline(answer, res, (err) => {
          if (err) res.destroy();
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
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
