// How every file in bin/ loads its entry module. By default the compiled
// JavaScript in dist/ (`npm run build`, which `npm install` and `npm ci` run
// through the `prepare` script): nothing is transpiled at start. With
// REINDEX_FROM_SOURCE=1, which the test runner sets, the TypeScript sources
// through tsx (a dev dependency), so tests never run a stale build.

/** Imports `<path>.js` from dist/, or `<path>.ts` from the sources; `path` is relative to the project root. */
export async function loadEntry(path) {
  if (process.env.REINDEX_FROM_SOURCE === '1') {
    const { register } = await import('tsx/esm/api');
    register();
    return import(new URL(`../${path}.ts`, import.meta.url).href);
  }
  const url = new URL(`../dist/${path}.js`, import.meta.url);
  try {
    return await import(url.href);
  } catch (err) {
    if (err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes(url.pathname)) {
      process.stderr.write(`${url.pathname} is missing: run \`npm run build\` (npm install runs it) first.\n`);
      process.exit(1);
    }
    throw err;
  }
}
