#!/usr/bin/env node
// The size budget CI enforces: the script-tag bundle as built, and the ESM entry as a consumer's
// bundler would tree-shake it (esbuild, browser, minified), both measured as `gzip -9`.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const GOAL = 12 * 1024;
const LIMIT = 14 * 1024;
// The same code through esbuild is about 1.1 KiB larger than the script tag (terser's passes, and
// reconnecting-websocket's private names left long); the debug option took it past 14 KiB.
const ESM_LIMIT = 15 * 1024;

const gzip = (code) => gzipSync(code, { level: 9 }).length;

export async function consumerBundle(contents) {
  const result = await build({
    stdin: { contents, resolveDir: process.cwd(), loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0].contents;
}

export async function measure() {
  return [
    { name: 'dist/flowrra-client.min.js (script tag, all inside)', bytes: gzip(readFileSync('dist/flowrra-client.min.js')), limit: LIMIT },
    {
      name: 'ESM: export { createTaskClient } from the npm build (esbuild, tree-shaken)',
      bytes: gzip(await consumerBundle("export { createTaskClient } from './dist/index.js';")),
      limit: ESM_LIMIT,
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let failed = false;
  for (const { name, bytes, limit } of await measure()) {
    const verdict = bytes > limit ? 'OVER LIMIT' : bytes > GOAL ? 'over the 12 KiB goal' : 'ok';
    console.log(`${(bytes / 1024).toFixed(2)} KiB gzip  ${name}  [${verdict}; limit ${limit / 1024} KiB]`);
    failed ||= bytes > limit;
  }
  if (failed) {
    console.error('size: over the limit');
    process.exit(1);
  }
}
