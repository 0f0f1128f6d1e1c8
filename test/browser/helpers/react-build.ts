import { join } from 'node:path';
import { build } from 'vite';
import { example } from './paths';

/** Builds examples/react with its own config into `outDir`, as `npm run example:react` does into examples/react/dist. */
export async function buildReactExample(outDir: string): Promise<void> {
  await build({
    configFile: join(example('react'), 'vite.config.ts'),
    logLevel: 'error',
    build: { outDir, emptyOutDir: true },
  });
}
