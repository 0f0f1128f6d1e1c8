import { fileURLToPath } from 'node:url';
import { defineConfig, type PluginOption, type UserConfig } from 'vite';

/**
 * The Vite config of a framework example in `root`. The app imports `flowrra-client` and
 * `flowrra-client/<adapter>` as an app with the package installed would; here both names point at
 * the repository's own ESM builds (run `npm run build` first). Exact matches, so that
 * `flowrra-client/<adapter>` is not read as `flowrra-client` + `/<adapter>`.
 */
export function exampleConfig(root: URL, adapter: 'react' | 'vue' | 'svelte', plugin: PluginOption): UserConfig {
  const repo = (path: string) => fileURLToPath(new URL(`../../${path}`, root));
  return defineConfig({
    root: fileURLToPath(root),
    plugins: [plugin],
    resolve: {
      alias: [
        { find: /^flowrra-client$/, replacement: repo('dist/index.js') },
        { find: new RegExp(`^flowrra-client/${adapter}$`), replacement: repo(`dist/${adapter}.js`) },
      ],
    },
    build: { outDir: 'dist', emptyOutDir: true },
  });
}
