import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

const repo = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

/**
 * The app imports `flowrra-client` and `flowrra-client/vue` as an app with the package installed
 * would; here both names point at the repository's own ESM builds (run `npm run build` first).
 * Exact matches, so that `flowrra-client/vue` is not read as `flowrra-client` + `/vue`.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [vue()],
  resolve: {
    alias: [
      { find: /^flowrra-client$/, replacement: repo('dist/index.js') },
      { find: /^flowrra-client\/vue$/, replacement: repo('dist/vue.js') },
    ],
  },
  build: { outDir: 'dist', emptyOutDir: true },
});
