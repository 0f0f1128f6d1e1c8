// Bundle sizes by the anchors' method: esbuild --bundle --minify --format=esm --platform=browser,
// then gzip -9. Ours as CI measures it (scripts/size.mjs), plus the parts that are installed here.
import { gzipSync } from 'node:zlib';
import { consumerBundle, measure, measureAdapters } from '../scripts/size.mjs';
import { asScript } from './lib/child.mjs';

/** Figures measured elsewhere, quoted as the issue gives them (min+gzip -9, esbuild, browser ESM, minimal use). */
export const ANCHORS = [
  ['socket.io-client', '4.8.4', '13.1 KB'],
  ['centrifuge', '5.8', '23.6 KB'],
  ['pusher-js', '8.6', '19.1 KB'],
  ['@microsoft/signalr', '10', '14.3 KB'],
  ['phoenix', '1.8', '7.7 KB'],
  ['reconnecting-websocket', '4.4', '3.2 KB'],
  ['partysocket', '1.3', '4.2 KB'],
  ['graphql-ws', '6.4', '3.5 KB'],
  ['zod (full), a Flowrra task schema', '4.6', '~27.6 KB'],
  ['zod/mini, a Flowrra task schema', '4.6', '~8.0 KB'],
];

const PARTS = [
  // From the source: dist/index.js would drag the whole client in.
  ['reconnecting-websocket alone (its published ES5 build)', "export { default } from 'reconnecting-websocket';"],
  ['the reconnect loop (src/socket.ts with reconnecting-websocket)', "export { openSocket } from './src/socket.ts';"],
  ['zod/mini + the client’s schemas (src/schema.ts)', "export * from './src/schema.ts';"],
  ['the same task in idiomatic zod/mini', "export { TaskSchema } from './bench/lib/task-schema-zod-mini.mjs';"],
  ['the same task in full zod', "export { TaskSchema } from './bench/lib/task-schema-zod.mjs';"],
];

export async function run() {
  const ours = await measure();
  const parts = [];
  for (const [name, source] of PARTS) {
    parts.push({ name, source, bytes: gzipSync(await consumerBundle(source), { level: 9 }).length });
  }
  return { ours, adapters: await measureAdapters(), parts, anchors: ANCHORS };
}

await asScript(import.meta, run);
