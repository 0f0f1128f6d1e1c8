import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..');
const tsc = join(root, 'node_modules/typescript/bin/tsc');

// Each fixture is a small project of its own that imports the built package by name (dist/*.d.ts,
// as a user's project reads it), under `strict` and without skipLibCheck.
function typecheck(project: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [tsc, '-p', join(root, 'test/types', project, 'tsconfig.json')], { cwd: root }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: stdout + stderr });
    });
  });
}

describe('the published declarations in a user\'s strict project', () => {
  it('are built', () => {
    expect(existsSync(join(root, 'dist/index.d.ts')), 'run `npm run build` first').toBe(true);
  });

  it('Node, lib ES2022 and no DOM: `ws`\'s WebSocket passed with no cast, and the reference server', async () => {
    expect(await typecheck('ws-node')).toEqual({ code: 0, output: '' });
  }, 60_000);

  it('no DOM lib and no Node types: the core names nothing outside ES2022', async () => {
    expect(await typecheck('no-dom')).toEqual({ code: 0, output: '' });
  }, 60_000);
});
