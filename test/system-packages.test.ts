import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const script = join(__dirname, '..', 'scripts', 'system-packages.sh');

// The pretest step, run as a user who is not root (as root it would install): a copy of the script
// beside a list of our own.
function runAsUser(list: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  writeFileSync(join(dir, 'system-packages.txt'), list);
  const root = process.getuid?.() === 0;
  const [command, args] = root ? ['setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'sh', join(dir, 'system-packages.sh')]] : ['sh', [join(dir, 'system-packages.sh')]];
  return new Promise((resolve) => {
    const child = execFile(command, args, (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }));
  });
}

let dir: string;

describe('scripts/system-packages.sh (npm test\'s pretest, .ci/run)', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'flowrra-packages-'));
    copyFileSync(script, join(dir, 'system-packages.sh'));
    chmodSync(dir, 0o755);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the one list: .ci/run calls the script, package.json runs it before the tests', () => {
    expect(readFileSync(join(__dirname, '..', '.ci', 'run'), 'utf8')).toMatch(/^scripts\/system-packages\.sh$/m);
    expect(JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')).scripts.pretest).toBe('sh scripts/system-packages.sh');
    expect(readFileSync(join(__dirname, '..', 'scripts', 'system-packages.txt'), 'utf8')).toMatch(/^chromium$/m);
  });

  it('is silent and succeeds when everything is installed', async () => {
    expect(await runAsUser('# a comment\ndpkg coreutils\n')).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('not root, packages missing: prints the one apt-get line and fails', async () => {
    const { code, stdout, stderr } = await runAsUser('coreutils no-such-package-flowrra\n# dpkg\nno-such-package-two\n');
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr.trim().split('\n').pop()?.trim()).toBe('sudo apt-get install -y no-such-package-flowrra no-such-package-two');
  });
});
