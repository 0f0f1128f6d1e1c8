import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

const repo = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

/**
 * The app imports `flowrra-client` and `flowrra-client/svelte` as an app with the package installed
 * would; here both names point at the repository's own ESM builds (run `npm run build` first).
 * Exact matches, so that `flowrra-client/svelte` is not read as `flowrra-client` + `/svelte`.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // No svelte.config.js: the defaults (runes, TypeScript in <script lang="ts">) are all this app needs.
  plugins: [svelte({ configFile: false })],
  resolve: {
    alias: [
      { find: /^flowrra-client$/, replacement: repo('dist/index.js') },
      { find: /^flowrra-client\/svelte$/, replacement: repo('dist/svelte.js') },
    ],
  },
  build: { outDir: 'dist', emptyOutDir: true },
});
