import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile } from 'svelte/compiler';
import { afterAll } from 'vitest';

// From the file path, not with `new URL(…)`: under jsdom, `URL` is jsdom's, which fileURLToPath refuses.
const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** What a component under test imports the stores from. */
export const SVELTE_ADAPTER = join(REPO, 'src', 'svelte', 'index.ts');

/**
 * Compiles Svelte 5 component sources for the test file that calls it, and deletes them after.
 * The output is written inside the repository (gitignored test-results/) so that its imports of
 * `svelte/internal/*` resolve to the installed svelte.
 */
export function useSvelteCompiler(): (name: string, source: string, generate: 'client' | 'server') => Promise<unknown> {
  const base = join(REPO, 'test-results');
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, 'svelte-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return async (name, source, generate) => {
    const { js } = compile(source, { filename: `${name}.svelte`, generate, dev: false });
    const file = join(dir, `${name}.${generate}.js`);
    writeFileSync(file, js.code);
    return (await import(/* @vite-ignore */ file)).default;
  };
}

/**
 * Svelte's browser runtime (`mount`, `unmount`, `flushSync`). Vitest resolves `svelte` with Node's
 * export conditions even under jsdom, which picks the server build where `mount` throws; this is
 * the file the `browser` condition names. Its internals are the same modules the compiled
 * components import through `svelte/internal/client`.
 */
export async function svelteBrowserRuntime(): Promise<typeof import('svelte')> {
  return import(/* @vite-ignore */ join(REPO, 'node_modules/svelte/src/index-client.js'));
}
