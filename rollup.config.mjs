import path from 'node:path';
import resolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

const ts = () =>
  typescript({
    tsconfig: './tsconfig.json',
    include: ['src/**/*.ts', 'server/**/*.ts', 'testing/**/*.ts'],
    compilerOptions: { noEmit: false, declaration: false, outDir: 'dist' },
  });

// Entries other entries import, by the package path they are imported as once built.
const SHARED_ENTRIES = new Map([
  [path.resolve('src/index'), 'flowrra-client'],
  [path.resolve('src/watch'), 'flowrra-client/watch'],
]);
const DEPENDENCY = /^(node:|ws$|react|vue$|msw|zod)/;

/**
 * Every import of the core (or of `watch`) from another entry (`../index`, `./index`,
 * `../src/index`) becomes one import of `flowrra-client` (`flowrra-client/watch`), so an app that
 * uses the framework or testing builds holds one copy of the client.
 */
const coreAsPackage = (input) => ({
  name: 'core-as-package',
  resolveId: (id, importer) => {
    if (importer === undefined) return null;
    const target = path.resolve(path.dirname(importer), id);
    return SHARED_ENTRIES.has(target) && target !== path.resolve(input.replace(/\.ts$/, '')) ? { id: SHARED_ENTRIES.get(target), external: true } : null;
  },
});

/** npm builds keep their dependencies as imports. */
const npmBuild = (input, name, formats = ['es', 'cjs']) => ({
  input,
  external: (id) => DEPENDENCY.test(id),
  plugins: [coreAsPackage(input), ts()],
  output: formats.map((format) => ({
    file: `dist/${name}.${format === 'es' ? 'js' : 'cjs'}`,
    format,
    sourcemap: true,
    exports: 'named',
  })),
});

/**
 * Declarations. Entries with a CommonJS build get a `.d.cts` beside the `.d.ts`: TypeScript reads a
 * `.d.ts` in this `"type": "module"` package as ESM, which would misdescribe `require()`.
 */
const types = (input, name, extensions = ['d.ts']) => ({
  input,
  external: (id) => DEPENDENCY.test(id),
  plugins: [coreAsPackage(input), dts()],
  output: extensions.map((extension) => ({ file: `dist/${name}.${extension}`, format: 'es' })),
});

// Our own private members, by name, each with the modules that use it: shortening them saves bytes in the script tag. Each
// name must mean nothing else in the bundle: ownPrivatesOnly() fails the build when any other module uses one as a property.
// It reads `.name` only, so a name must not be a key of anything that leaves the client (a debug entry, an event) either.
const OWN_PRIVATES = [
  [['byId', 'limit', 'gone', 'order', 'head', 'finished', 'evictOne', 'young', 'old', 'capacity'], ['src/store.ts']],
  [['registered'], ['src/listeners.ts']],
  // Members of internal interfaces the client alone calls.
  [['upsert', 'remove'], ['src/store.ts', 'src/client.ts']],
  [['freshToken', 'isOnline', 'once', 'exhausted', 'nudge', 'restart'], ['src/socket.ts', 'src/client.ts']],
  [['setPaused'], ['src/poller.ts', 'src/client.ts']],
  [['redact', 'redactText'], ['src/tokens.ts', 'src/client.ts']],
  [['touch'], ['src/stale-watch.ts', 'src/client.ts']],
];
const OWN_PRIVATE_NAMES = OWN_PRIVATES.flatMap(([names]) => names);
const OWN_PRIVATE = new RegExp(`^(${OWN_PRIVATE_NAMES.join('|')})$`);

const ownPrivatesOnly = () => ({
  name: 'own-privates-only',
  transform(code, id) {
    for (const [names, homes] of OWN_PRIVATES) {
      const use = homes.some((home) => id.endsWith(home)) ? null : code.match(new RegExp(`\\.(${names.join('|')})\\b`));
      if (use) this.error(`${id} reads ".${use[1]}", a name the script tag mangles as a private of ${homes.join(' and ')}: rename one`);
    }
    return null;
  },
});

export default [
  npmBuild('src/index.ts', 'index'),
  {
    input: 'src/index.ts',
    plugins: [
      resolve({ browser: true }),
      ownPrivatesOnly(),
      ts(),
      terser({
        ecma: 2020,
        // hoist_funs: function declarations moved to the top of their scope (as JS hoists them anyway) gzip better; so do
        // comparisons left as written (lhs_constants off).
        compress: { passes: 4, pure_getters: true, unsafe_arrows: true, unsafe_methods: true, hoist_funs: true, lhs_constants: false },
        // builtins: terser leaves names that are also DOM properties (order, head, finished) alone unless told; the regex
        // already limits it to our own.
        mangle: { properties: { regex: OWN_PRIVATE, builtins: true } },
        format: { comments: false },
      }),
    ],
    output: { file: 'dist/flowrra-client.min.js', format: 'iife', name: 'FlowrraClient', sourcemap: true },
  },
  npmBuild('src/watch.ts', 'watch'),
  npmBuild('src/react/index.ts', 'react'),
  npmBuild('src/vue/index.ts', 'vue'),
  npmBuild('src/svelte/index.ts', 'svelte'),
  npmBuild('testing/index.ts', 'testing', ['es']),
  npmBuild('server/index.ts', 'server', ['es']),
  {
    input: 'server/cli.ts',
    external: (id) => DEPENDENCY.test(id),
    plugins: [ts()],
    output: { file: 'dist/server-cli.js', format: 'es' },
  },
  types('src/index.ts', 'index', ['d.ts', 'd.cts']),
  types('src/watch.ts', 'watch', ['d.ts', 'd.cts']),
  types('src/react/index.ts', 'react', ['d.ts', 'd.cts']),
  types('src/vue/index.ts', 'vue', ['d.ts', 'd.cts']),
  types('src/svelte/index.ts', 'svelte', ['d.ts', 'd.cts']),
  types('testing/index.ts', 'testing'),
  types('server/index.ts', 'server'),
];
