import { readFile } from 'node:fs/promises';

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
};

// Only flat, known-type names: a request can never walk out of assets/.
const NAME = /^[a-z0-9-]+\.(html|js|css|svg)$/;
const ASSETS = new URL('./assets/', import.meta.url);

/** A file from status-page/assets as a response, or undefined when there is none. */
export async function staticAsset(name: string): Promise<Response | undefined> {
  const match = NAME.exec(name);
  if (!match) return undefined;
  try {
    const body = await readFile(new URL(name, ASSETS));
    return new Response(body, { headers: { 'content-type': TYPES[match[1]], 'cache-control': 'no-cache' } });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
