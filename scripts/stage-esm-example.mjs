#!/usr/bin/env node
// The ESM example needs its page and the JavaScript of the dependency the import map names (zod;
// reconnecting-websocket is compiled into dist/index.js); the SDK build comes from the server's --dist. Staging them in one
// directory lets the server serve that directory alone, not the repository root (which would hand
// out .git and everything else).
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const DEPENDENCIES = ['zod'];

/** Fills `dir` (emptied first) with examples/esm/index.html and the dependencies' .js files. */
export function stageEsmExample(dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(join(REPO, 'examples', 'esm', 'index.html'), join(dir, 'index.html'));
  for (const name of DEPENDENCIES) {
    cpSync(join(REPO, 'node_modules', name), join(dir, 'node_modules', name), {
      recursive: true,
      filter: (source) => !/\.[a-z]+$/i.test(source) || /\.(m?js|json)$/.test(source),
    });
  }
  return dir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(stageEsmExample(join(REPO, process.argv[2] ?? '.esm-example')));
}
