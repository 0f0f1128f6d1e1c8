// examples/react: the Vite + React app on the hooks, built here, served as built.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { describeExamplePage } from './helpers/example-suite';
import { DIST } from './helpers/paths';
import { buildReactExample } from './helpers/react-build';

let outDir = '';

// A directory of its own, so a developer's examples/react/dist is neither used nor overwritten.
beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'flowrra-react-example-'));
  await buildReactExample(outDir);
}, 60_000);
afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

describeExamplePage('React example', () => ({ staticDir: outDir, distDir: DIST, path: '/' }));
