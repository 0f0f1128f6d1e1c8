import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const repo = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

/**
 * The app imports `flowrra-client` and `flowrra-client/react` as an app with the package installed
 * would; here both names point at the repository's own ESM builds (run `npm run build` first).
 * Exact matches, so that `flowrra-client/react` is not read as `flowrra-client` + `/react`.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  resolve: {
    alias: [
      { find: /^flowrra-client$/, replacement: repo('dist/index.js') },
      { find: /^flowrra-client\/react$/, replacement: repo('dist/react.js') },
    ],
  },
  build: { outDir: 'dist', emptyOutDir: true },
});
