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
const toPackage = (id) => (id === CORE || /^\.\.\/(src\/)?index$/.test(id) ? 'flowrra-client' : id);
const DEPENDENCY = /^(node:|ws$|react|msw|zod|reconnecting-websocket)/;

/**
 * npm builds keep their dependencies as imports. The React and testing builds also import the
 * core as `flowrra-client`, so an app that uses them holds one copy of the client.
 */
const npmBuild = (input, name, formats = ['es', 'cjs']) => ({
  input,
  external: (id, parent) => DEPENDENCY.test(id) || (input !== 'src/index.ts' && parent !== undefined && path.resolve(path.dirname(parent), id) === CORE),
  makeAbsoluteExternalsRelative: false,
  plugins: [ts()],
  output: formats.map((format) => ({
    file: `dist/${name}.${format === 'es' ? 'js' : 'cjs'}`,
    format,
    sourcemap: true,
    exports: 'named',
    paths: toPackage,
  })),
});

/**
 * Declarations. Entries with a CommonJS build get a `.d.cts` beside the `.d.ts`: TypeScript reads a
 * `.d.ts` in this `"type": "module"` package as ESM, which would misdescribe `require()`.
 */
const types = (input, name, extensions = ['d.ts']) => ({
  input,
  external: (id, parent) => DEPENDENCY.test(id) || (input !== 'src/index.ts' && parent !== undefined && path.resolve(path.dirname(parent), id) === CORE),
  makeAbsoluteExternalsRelative: false,
  plugins: [dts()],
  output: extensions.map((extension) => ({ file: `dist/${name}.${extension}`, format: 'es', paths: toPackage })),
});

// reconnecting-websocket's private members, by name: shortening them saves about 160 bytes gzipped.
// Listed, not matched by prefix, because zod keeps its own state in `_zod` and friends.
const RWS_PRIVATE =
  /^_(listeners|retryCount|shouldReconnect|connectLock|binaryType|closeCalled|messageQueue|handleOpen|handleMessage|handleError|handleClose|handleTimeout|url|protocols|options|ws|connectTimeout|uptimeTimeout|debug|getNextDelay|wait|getNextUrl|connect|disconnect|acceptOpen|callEventListener|removeListeners|addListeners|clearTimeouts)$/;

export default [
  npmBuild('src/index.ts', 'index'),
  {
    input: 'src/index.ts',
    plugins: [
      resolve({ browser: true }),
      ts(),
      terser({
        ecma: 2020,
        compress: { passes: 3, pure_getters: true, unsafe_arrows: true },
        mangle: { properties: { regex: RWS_PRIVATE } },
        format: { comments: false },
      }),
    ],
    output: { file: 'dist/flowrra-client.min.js', format: 'iife', name: 'FlowrraClient', sourcemap: true },
  },
  npmBuild('src/react/index.ts', 'react'),
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
  types('testing/index.ts', 'testing'),
  types('server/index.ts', 'server'),
];
