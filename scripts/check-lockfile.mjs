#!/usr/bin/env node
// `npm ci` installs from package-lock.json without noticing that package.json asks for something
// else; a fresh `npm install` would then rewrite the lockfile. Here npm brings a copy of the two
// files in step, in a scratch directory, and any difference from the committed lockfile fails.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const scratch = mkdtempSync(join(tmpdir(), 'flowrra-lockfile-'));
try {
  for (const file of ['package.json', 'package-lock.json']) copyFileSync(file, join(scratch, file));
  execFileSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: scratch, stdio: 'ignore' });
  if (readFileSync(join(scratch, 'package-lock.json'), 'utf8') !== readFileSync('package-lock.json', 'utf8')) {
    console.error('lockfile: package-lock.json is out of step with package.json; run `npm install` and commit package-lock.json');
    process.exit(1);
  }
  console.log('lockfile: package-lock.json is in step with package.json');
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
