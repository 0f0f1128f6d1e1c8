// examples/esm: the npm ESM build imported by the browser itself, its dependencies mapped by an
// import map; served, as `npm run example:esm` does, from a directory staged with only what the page
// needs (the SDK build comes from --dist).
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stageEsmExample } from '../../scripts/stage-esm-example.mjs';
import { describeExamplePage } from './helpers/example-suite';
import { DIST } from './helpers/paths';

let staged = '';
beforeAll(() => {
  staged = stageEsmExample(mkdtempSync(join(tmpdir(), 'flowrra-esm-')));
});
afterAll(() => rmSync(staged, { recursive: true, force: true }));

describeExamplePage('ESM example', () => ({ staticDir: staged, distDir: DIST, path: '/' }));

it('stages only the page and the JavaScript of its one dependency, nothing else of the repository', () => {
  expect(readdirSync(staged).sort()).toEqual(['index.html', 'node_modules']);
  expect(readdirSync(join(staged, 'node_modules')).sort()).toEqual(['zod']);
  const files = readdirSync(staged, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
  expect(files.filter((file) => /\.(ts|map|md)$/.test(file.name))).toEqual([]);
});
