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

const CORE = path.resolve('src/index');
const DEPENDENCY = /^(node:|ws$|react|vue$|msw|zod)/;

/**
 * Every import of the core from another entry (`../index`, `./index`, `../src/index`) becomes one
 * import of `flowrra-client`, so an app that uses the framework or testing builds holds one copy
 * of the client.
 */
const coreAsPackage = (input) => ({
  name: 'core-as-package',
  resolveId: (id, importer) =>
    input !== 'src/index.ts' && importer !== undefined && path.resolve(path.dirname(importer), id) === CORE ? { id: 'flowrra-client', external: true } : null,
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

// Our own private members, by name: shortening them saves bytes in the script tag. Each name must mean nothing else in the
// bundle: ownPrivatesOnly() fails the build when another module uses one as a property.
const OWN_PRIVATE_NAMES = ['byId', 'limit', 'gone', 'order', 'head', 'finished', 'evictOne', 'young', 'old', 'capacity', 'registered'];
const OWN_PRIVATE_HOMES = ['src/store.ts', 'src/listeners.ts'];
const OWN_PRIVATE = new RegExp(`^(${OWN_PRIVATE_NAMES.join('|')})$`);

const OWN_PRIVATE_ELSEWHERE = new RegExp(`\\.(${OWN_PRIVATE_NAMES.join('|')})\\b`);
const ownPrivatesOnly = () => ({
  name: 'own-privates-only',
  transform(code, id) {
    const use = OWN_PRIVATE_HOMES.some((home) => id.endsWith(home)) ? null : code.match(OWN_PRIVATE_ELSEWHERE);
    if (use) this.error(`${id} reads ".${use[1]}", a name the script tag mangles as a private of ${OWN_PRIVATE_HOMES.join(' or ')}: rename one`);
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
        // hoist_funs: function declarations moved to the top of their scope (as JS hoists them anyway) gzip better.
        compress: { passes: 3, pure_getters: true, unsafe_arrows: true, unsafe_methods: true, hoist_funs: true },
        // builtins: terser leaves names that are also DOM properties (order, head, finished) alone unless told; the regex
        // already limits it to our own.
        mangle: { properties: { regex: OWN_PRIVATE, builtins: true } },
        format: { comments: false },
      }),
    ],
    output: { file: 'dist/flowrra-client.min.js', format: 'iife', name: 'FlowrraClient', sourcemap: true },
  },
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
  types('src/react/index.ts', 'react', ['d.ts', 'd.cts']),
  types('src/vue/index.ts', 'vue', ['d.ts', 'd.cts']),
  types('src/svelte/index.ts', 'svelte', ['d.ts', 'd.cts']),
  types('testing/index.ts', 'testing'),
  types('server/index.ts', 'server'),
];
