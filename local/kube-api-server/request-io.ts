// Reading request bodies and writing JSON answers, as the real server does:
// JSON (or YAML for apply patches); protobuf is refused with 415 so clients
// that prefer it (kubectl for built-ins) fall back to JSON.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { StatusError } from './status-error.js';

export const APPLY_PATCH = 'application/apply-patch+yaml';

export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

export async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const type = mediaType(req);
  if (type.includes('protobuf')) {
    throw new StatusError('UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  try {
    // An apply patch is YAML (JSON is YAML too); everything else is JSON.
    return type === APPLY_PATCH || type === 'application/yaml' ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new StatusError('BadRequest', `the request body is not valid ${type === APPLY_PATCH ? 'YAML' : 'JSON'}: ${(err as Error).message}`);
  }
}

export function send(res: ServerResponse, code: number, body: unknown, warnings: string[] = []): void {
  const headers: Record<string, string | string[]> = { 'Content-Type': 'application/json' };
  // RFC 7234 warn-code 299 with an agent of "-", as the real server writes admission warnings.
  if (warnings.length > 0) headers.Warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(code, headers);
  res.end(JSON.stringify(body));
}
