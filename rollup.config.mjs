import resolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

const ts = () => typescript({ tsconfig: './tsconfig.json', include: ['src/**/*.ts', 'server/**/*.ts', 'testing/**/*.ts'], compilerOptions: { noEmit: false, declaration: false, outDir: 'dist' } });
// Node-only and peer packages stay imports; the browser bundle inlines its two runtime dependencies.
const external = (id) => /^(node:|ws$|react|msw|zod|reconnecting-websocket)/.test(id);

// reconnecting-websocket's private members, by name: shortening them saves about 400 bytes gzipped.
// Listed, not matched by prefix, because zod keeps its own state in `_zod` and friends.
const RWS_PRIVATE = /^_(listeners|retryCount|shouldReconnect|connectLock|binaryType|closeCalled|messageQueue|handleOpen|handleMessage|handleError|handleClose|handleTimeout|url|protocols|options|ws|connectTimeout|uptimeTimeout|debug|getNextDelay|wait|getNextUrl|connect|disconnect|acceptOpen|callEventListener|removeListeners|addListeners|clearTimeouts)$/;

export default [
  {
    input: 'src/index.ts',
    external,
    plugins: [ts()],
    output: [
      { file: 'dist/index.js', format: 'es', sourcemap: true },
      { file: 'dist/index.cjs', format: 'cjs', sourcemap: true, exports: 'named' },
    ],
  },
  {
    input: 'src/index.ts',
    plugins: [resolve({ browser: true }), ts(), terser({ ecma: 2020, compress: { passes: 3, pure_getters: true, unsafe_arrows: true }, mangle: { properties: { regex: RWS_PRIVATE } }, format: { comments: false } })],
    output: { file: 'dist/flowrra-client.min.js', format: 'iife', name: 'FlowrraClient', sourcemap: true },
  },
  {
    input: 'src/index.ts',
    plugins: [dts()],
    output: { file: 'dist/index.d.ts', format: 'es' },
  },
];
