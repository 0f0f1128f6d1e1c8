#!/usr/bin/env node
// The size budget CI enforces: each script-tag file as built, the ESM entry as a consumer's
// bundler would tree-shake it (esbuild, browser, minified) for an app that does not share, and each
// framework adapter on its own, all measured as `gzip -9`.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const GOAL = 12 * 1024;
// Each script-tag file smaller than socket.io-client (13,059 B), which validates nothing: the bar the
// tab-sharing issue set, held with reconnecting-websocket inside (issue 21). Tab sharing is a file of
// its own (flowrra-client.share.min.js) so that the client's has room; see docs/performance.md.
const LIMIT = 13059 - 1;
// An adapter only maps the client onto a framework's reactivity; more than this means core code crept in.
const ADAPTER_LIMIT = 1024;
// The same code through esbuild is larger than the script tag: terser's passes and its mangling of
// private names, on zod too. reconnecting-websocket is compiled into dist/index.js from its TypeScript
// source, as in the script tag (its published build is ES5, some 1.5 KiB more). Tab sharing is
// flowrra-client/share, which an app that does not share never imports.
const ESM_LIMIT = 13.25 * 1024;

const gzip = (code) => gzipSync(code, { level: 9 }).length;

export async function consumerBundle(contents, external = []) {
  const result = await build({
    stdin: { contents, resolveDir: process.cwd(), loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    external,
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0].contents;
}

export async function measure() {
  return [
    { name: 'dist/flowrra-client.min.js (script tag, all inside but tab sharing)', bytes: gzip(readFileSync('dist/flowrra-client.min.js')), limit: LIMIT },
    { name: 'dist/flowrra-client.share.min.js (script tag, tab sharing)', bytes: gzip(readFileSync('dist/flowrra-client.share.min.js')), limit: LIMIT },
    {
      name: 'ESM: export { createTaskClient } from the npm build (esbuild, tree-shaken; an app that does not share)',
      bytes: gzip(await consumerBundle("export { createTaskClient } from './dist/index.js';")),
      limit: ESM_LIMIT,
    },
  ];
}

/** What `flowrra-client/share` adds to an app that has the core: reported, held by no limit of its own. */
export async function measureShare() {
  return { name: 'flowrra-client/share (share; core excluded)', bytes: gzip(await consumerBundle("export { share } from './dist/share.js';", ['flowrra-client'])) };
}

/**
 * What each adapter adds to an app that already has the core and the framework: its npm build
 * bundled with `flowrra-client` (and so `flowrra-client/watch`, which the adapters share) and the
 * framework left out. `watch` itself, the per-run helper, is held to the same budget.
 */
export async function measureAdapters() {
  const adapters = [];
  for (const [entry, framework] of [['watch', null], ['react', 'react'], ['vue', 'vue'], ['svelte', null]]) {
    const code = await consumerBundle(`export * from './dist/${entry}.js';`, ['flowrra-client', ...(framework ? [framework] : [])]);
    adapters.push({ name: `flowrra-client/${entry} (all exports; core${framework ? ` and ${framework}` : ''} excluded)`, bytes: gzip(code) });
  }
  return adapters;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let failed = false;
  for (const { name, bytes, limit } of await measure()) {
    const verdict = bytes > limit ? 'OVER LIMIT' : bytes > GOAL ? 'over the 12 KiB goal' : 'ok';
    console.log(`${bytes} B (${(bytes / 1024).toFixed(2)} KiB) gzip  ${name}  [${verdict}; limit ${limit} B]`);
    failed ||= bytes > limit;
  }
  const share = await measureShare();
  console.log(`${share.bytes} B gzip  ${share.name}`);
  for (const { name, bytes } of await measureAdapters()) {
    console.log(`${bytes} B gzip  ${name}  [${bytes > ADAPTER_LIMIT ? 'OVER LIMIT' : 'ok'}; limit ${ADAPTER_LIMIT} B]`);
    failed ||= bytes > ADAPTER_LIMIT;
  }
  if (failed) {
    console.error('size: over a limit');
    process.exit(1);
  }
}
