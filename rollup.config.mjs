import { readFileSync } from 'node:fs';
import path from 'node:path';
import resolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';
import { transform } from 'esbuild';
import { minify } from 'terser';
import { dropUnusedMembers } from './scripts/rws-unused.mjs';

// TypeScript writes each source map beside its output, which Rollup reads as beside the source: so the
// output is placed (in memory) where the sources are, or the maps point one folder too high. A build
// with an output dir (the CLI's, which has no maps) must have it inside that dir instead.
const ts = (outDir = '.') =>
  typescript({
    tsconfig: './tsconfig.json',
    include: ['src/**/*.ts', 'server/**/*.ts', 'testing/**/*.ts'],
    compilerOptions: { noEmit: false, declaration: false, outDir },
  });

// Entries other entries import, by the package path they are imported as once built.
const SHARED_ENTRIES = new Map([
  [path.resolve('src/index'), 'flowrra-client'],
  [path.resolve('src/watch'), 'flowrra-client/watch'],
]);
const DEPENDENCY = /^(node:|ws$|react|vue$|msw|zod|reconnecting-websocket)/;

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

/**
 * npm builds keep their dependencies as imports, but for reconnecting-websocket in the core: see
 * rwsFromSource().
 */
const npmBuild = (input, name, formats = ['es', 'cjs']) => ({
  input,
  external: (id) => DEPENDENCY.test(id) && !(input === 'src/index.ts' && id === 'reconnecting-websocket'),
  plugins: [coreAsPackage(input), rwsFromSource(true), ts(), ...(input === 'src/index.ts' ? [ownPrivatesOnly(), thirdPartyLicenses(), minified()] : [])],
  output: formats.map((format) => ({
    file: `dist/${name}.${format === 'es' ? 'js' : 'cjs'}`,
    format,
    sourcemap: true,
    exports: 'named',
    ...(input === 'src/index.ts' && { banner: RWS_NOTICE }),
  })),
});

/**
 * The optional peers (msw for the test kit, ws for the server) load guarded, so that a missing one is
 * one clear line, not a raw ERR_MODULE_NOT_FOUND: an ES module awaits a dynamic import (a static one
 * fails before any code runs), CommonJS calls require.
 */
const PEERS = {
  ws: 'the "ws" package is missing: flowrra-server and flowrra-client/server need it (npm install ws)',
  msw: 'the "msw" package is missing: flowrra-client/testing needs it (npm install --save-dev msw)',
};
// `external` is asked before any plugin: a peer is external only when the guard imports it.
const externalPastGuard = (id, importer) => DEPENDENCY.test(id) && (!(id in PEERS) || !!importer?.startsWith('\0peer:'));
const guardedPeers = (format) => ({
  name: 'guarded-peers',
  resolveId: (id, importer) => (id in PEERS && !importer?.startsWith('\0peer:') ? `\0peer:${id}` : null),
  load(id) {
    if (!id.startsWith('\0peer:')) return null;
    const peer = id.slice('\0peer:'.length);
    return {
      code: `let peer;
try {
  peer = ${format === 'es' ? 'await import' : 'require'}(${JSON.stringify(peer)});
} catch (error) {
  if (!/^(ERR_)?MODULE_NOT_FOUND$/.test(error?.code) || !String(error.message).includes("'${peer}'")) throw error;
  throw Object.assign(new Error(${JSON.stringify(PEERS[peer])}, { cause: error }), { code: error.code });
}
export default peer;`,
      // Named imports (`import { http } from 'msw'`) read the loaded module's properties.
      syntheticNamedExports: true,
    };
  },
});

/** An npm build of an entry that uses an optional peer: one build per format, each guarding the peer its way. */
const guardedBuild = (input, name) =>
  ['es', 'cjs'].map((format) => ({
    input,
    external: externalPastGuard,
    plugins: [guardedPeers(format), coreAsPackage(input), ts()],
    output: { file: `dist/${name}.${format === 'es' ? 'js' : 'cjs'}`, format, sourcemap: true, exports: 'named' },
  }));

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

/**
 * The script tag compiles reconnecting-websocket from the TypeScript source its package ships, to
 * ES2020 like the rest of the bundle (its published builds are ES5, with TypeScript's helpers and a
 * defineProperty per getter; class fields assigned in the constructor, as its own build does). So do
 * the npm builds of the core: an app's bundler would otherwise take the ES5 build, some 1.5 KiB more.
 * There its private members are shortened here, in its module alone, before the build's own terser
 * pass (minified()): some 60 B of gzip fewer than leaving it to that pass. In every build,
 * the class members the client never reaches (its send queue, on* properties, state getters) are
 * dropped first: see scripts/rws-unused.mjs.
 */
const RWS_SOURCE = path.resolve('node_modules/reconnecting-websocket/reconnecting-websocket.ts');
const RWS_VERSION = JSON.parse(readFileSync(path.resolve(path.dirname(RWS_SOURCE), 'package.json'), 'utf8')).version;
// Its MIT notice on the npm builds, which bundlers carry into an app's bundle (a `/*!` comment); the
// full text ships as dist/THIRD_PARTY_LICENSES, beside the script-tag files too.
const RWS_NOTICE = `/*! reconnecting-websocket ${RWS_VERSION} (c) 2018 Pedro Ladaria, MIT */`;
// The licence text of what the builds carry inside, next to them in dist/.
const thirdPartyLicenses = () => ({
  name: 'third-party-licenses',
  generateBundle(options) {
    if (options.format !== 'es') return;
    const license = readFileSync(path.resolve(path.dirname(RWS_SOURCE), 'LICENSE'), 'utf8');
    this.emitFile({
      type: 'asset',
      fileName: 'THIRD_PARTY_LICENSES',
      source: `flowrra-client's builds carry reconnecting-websocket ${RWS_VERSION} (https://github.com/pladaria/reconnecting-websocket), compiled from its TypeScript source:\n\n${license}`,
    });
  },
});
const rwsFromSource = (npm = false) => ({
  name: 'rws-from-source',
  resolveId: (id, importer) =>
    id === 'reconnecting-websocket' ? RWS_SOURCE : id === './events' && importer === RWS_SOURCE ? path.resolve(path.dirname(RWS_SOURCE), 'events.ts') : null,
  async transform(code, id) {
    if (path.dirname(id) !== path.dirname(RWS_SOURCE)) return null;
    if (id === RWS_SOURCE) code = dropUnusedMembers(code);
    const compilerOptions = { useDefineForClassFields: false };
    const result = await transform(code, { loader: 'ts', target: 'es2020', sourcemap: true, sourcefile: id, tsconfigRaw: { compilerOptions } });
    if (!npm) return { code: result.code, map: result.map };
    const out = await minify(result.code, {
      module: true,
      compress: false,
      mangle: { properties: { regex: RWS_PRIVATE } },
      keep_classnames: true,
      keep_fnames: true,
      format: { beautify: true, comments: false },
      sourceMap: { content: result.map },
    });
    return { code: out.code, map: out.map };
  },
});

// reconnecting-websocket's private members, by name (its `private` fields and methods; zod keeps its
// state in `_zod` and friends, so they are listed, not matched by prefix).
const RWS_PRIVATE =
  /^_(listeners|retryCount|shouldReconnect|connectLock|binaryType|closeCalled|handleOpen|handleMessage|handleError|handleClose|handleTimeout|url|protocols|options|ws|connectTimeout|uptimeTimeout|getNextDelay|wait|getNextUrl|connect|disconnect|acceptOpen|callEventListener|removeListeners|addListeners|clearTimeouts)$/;

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
  // reconnecting-websocket's option names that src/socket.ts sets or leaves to its default.
  [['minReconnectionDelay', 'maxReconnectionDelay', 'reconnectionDelayGrowFactor', 'connectionTimeout', 'startClosed', 'maxEnqueuedMessages'], ['src/socket.ts', 'reconnecting-websocket/reconnecting-websocket.ts']],
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

// zod's sources carry comments in spots where Rollup cannot read a pure annotation; Rollup drops
// them (the bundle is unchanged) and says so, some 30 lines a build. Those alone are silenced.
const quietZodAnnotations = (warning, warn) => {
  if (warning.code === 'INVALID_ANNOTATION' && /[\\/]node_modules[\\/]zod[\\/]/.test(warning.id ?? '')) return;
  warn(warning);
};

/**
 * The npm build of the core, minified with the script tag's mangling (our private members and
 * reconnecting-websocket's, by name, checked by ownPrivatesOnly()), so an app's bundler gets the same
 * short names: it cannot shorten properties itself. Its compression is the script tag's but for
 * `passes` and `hoist_funs`, which gzip worse once the app's bundler minifies again. A `/*!` notice stays.
 */
const minified = () =>
  terser({
    ecma: 2020,
    compress: { pure_getters: true, unsafe_arrows: true, unsafe_methods: true, lhs_constants: false },
    mangle: { properties: { regex: new RegExp(`${RWS_PRIVATE.source}|${OWN_PRIVATE.source}`), builtins: true } },
    format: { comments: /^!/, preserve_annotations: true },
  });

/**
 * A script-tag file: everything inside, minified. Sharing is a file of its own
 * (flowrra-client.share.min.js, loaded after the client's), which imports nothing of the client at
 * run time: the client hands it what it uses.
 */
const scriptTag = (input, file, name) => ({
  input,
  onwarn: quietZodAnnotations,
  plugins: [
    rwsFromSource(),
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
      mangle: { properties: { regex: new RegExp(`${RWS_PRIVATE.source}|${OWN_PRIVATE.source}`), builtins: true } },
      format: { comments: false },
    }),
  ],
  output: { file: `dist/${file}`, format: 'iife', name, sourcemap: true },
});

export default [
  npmBuild('src/index.ts', 'index'),
  scriptTag('src/index.ts', 'flowrra-client.min.js', 'FlowrraClient'),
  npmBuild('src/share/index.ts', 'share'),
  scriptTag('src/share/index.ts', 'flowrra-client.share.min.js', 'FlowrraClientShare'),
  npmBuild('src/watch.ts', 'watch'),
  npmBuild('src/react/index.ts', 'react'),
  npmBuild('src/vue/index.ts', 'vue'),
  npmBuild('src/svelte/index.ts', 'svelte'),
  ...guardedBuild('testing/index.ts', 'testing'),
  ...guardedBuild('server/index.ts', 'server'),
  {
    input: 'server/cli.ts',
    external: externalPastGuard,
    plugins: [guardedPeers('es'), ts('dist')],
    // The server (and ws) is a chunk of its own, imported once the CLI can report a failure in one line.
    output: { dir: 'dist', entryFileNames: 'server-cli.js', chunkFileNames: 'server-cli-[name].js', format: 'es' },
  },
  types('src/index.ts', 'index', ['d.ts', 'd.cts']),
  types('src/share/index.ts', 'share', ['d.ts', 'd.cts']),
  types('src/watch.ts', 'watch', ['d.ts', 'd.cts']),
  types('src/react/index.ts', 'react', ['d.ts', 'd.cts']),
  types('src/vue/index.ts', 'vue', ['d.ts', 'd.cts']),
  types('src/svelte/index.ts', 'svelte', ['d.ts', 'd.cts']),
  types('testing/index.ts', 'testing', ['d.ts', 'd.cts']),
  types('server/index.ts', 'server', ['d.ts', 'd.cts']),
];
