import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { build } from 'vite';
import { describeExamplePage } from './example-suite';
import { DIST, example } from './paths';

/** Builds examples/<name> with its own config into `outDir`, as `npm run example:<name>` does into examples/<name>/dist. */
export async function buildExample(name: string, outDir: string): Promise<void> {
  await build({
    configFile: join(example(name), 'vite.config.ts'),
    logLevel: 'error',
    build: { outDir, emptyOutDir: true },
  });
}

/**
 * A Vite-built example (examples/<name>), built for this test file, served as built by the
 * reference server, and put through {@link describeExamplePage}.
 */
export function describeBuiltExample(title: string, name: string): void {
  let outDir = '';
  // A directory of its own, so a developer's examples/<name>/dist is neither used nor overwritten.
  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), `flowrra-${name}-example-`));
    await buildExample(name, outDir);
  }, 60_000);
  afterAll(() => {
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });
  describeExamplePage(title, () => ({ staticDir: outDir, distDir: DIST, path: '/' }));
}
