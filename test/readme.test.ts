import { execFile, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { transform } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCliArgs } from '../server/cli-args';

const root = join(__dirname, '..');
// Inside the package, so that `from 'flowrra-client'` resolves to the built package as in an app.
const dir = join(root, 'test/types/readme');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string; scripts: Record<string, string> };

interface Block {
  lang: string;
  code: string;
  /** The heading above the block. */
  section: string;
}

function readmeBlocks(): Block[] {
  const blocks: Block[] = [];
  let section = '';
  const lines = readFileSync(join(root, 'README.md'), 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heading = /^#+ (.*)/.exec(lines[i]!);
    if (heading) section = heading[1]!;
    const fence = /^```(\w+)$/.exec(lines[i]!);
    if (!fence) continue;
    const end = lines.indexOf('```', i + 1);
    blocks.push({ lang: fence[1]!, code: lines.slice(i + 1, end).join('\n'), section });
    i = end;
  }
  return blocks;
}

const blocks = readmeBlocks();
// Checked elsewhere, or not a program: the Python block is one mount line per framework side by side
// (examples/flowrra-fastapi runs the FastAPI one); the Vue and Svelte ones are the components that
// examples/vue and examples/svelte type-check and build.
const NOT_HERE = ['python', 'vue', 'svelte'];

describe('README code blocks, as a user pastes them', () => {
  it('are each of a language this test reads or names', () => {
    expect(blocks.length).toBeGreaterThan(8);
    for (const block of blocks) expect(['js', 'ts', 'tsx', 'html', 'sh', ...NOT_HERE], block.section).toContain(block.lang);
  });

  describe('type-checked as files of an app (strict, noUnusedLocals, checkJs)', () => {
    beforeAll(() => {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      const files: string[] = [];
      blocks.forEach((block, n) => {
        if (['js', 'ts', 'tsx'].includes(block.lang)) files.push(write(`block-${n}.${block.lang}`, block.code));
        // A script tag's inline script is a classic script: its globals are the page's.
        if (block.lang === 'html') {
          for (const [, script] of block.code.matchAll(/<script>([\s\S]*?)<\/script>/g)) files.push(write(`block-${n}.script.js`, script!));
        }
      });
      files.push(write('globals.d.ts', "declare const FlowrraClient: typeof import('flowrra-client');\ndeclare const FlowrraClientShare: typeof import('flowrra-client/share');\n"));
      write(
        'tsconfig.json',
        JSON.stringify({
          compilerOptions: {
            strict: true, noUnusedLocals: true, noUnusedParameters: true, allowJs: true, checkJs: true,
            target: 'ES2022', lib: ['ES2022', 'DOM', 'DOM.Iterable'], module: 'ESNext', moduleResolution: 'Bundler',
            jsx: 'react-jsx', types: ['node'], noEmit: true, skipLibCheck: true,
          },
          files,
        }),
      );
    });

    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('tsc reports nothing', async () => {
      const output = await new Promise<string>((resolve) =>
        execFile(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], (_e, stdout, stderr) => resolve(stdout + stderr)),
      );
      expect(output).toBe('');
    }, 60_000);
  });

  it('"Against the reference server" runs in Node and shows a task finish', async () => {
    const block = blocks.find((b) => b.section.startsWith('Against the reference server'))!;
    mkdirSync(dir, { recursive: true });
    const file = write('reference-server.mjs', (await transform(block.code, { loader: 'ts', format: 'esm' })).code);
    const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stderr.on('data', (chunk) => (output += chunk));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk) => {
          output += chunk;
          if (output.includes('send_email success')) resolve();
        });
        child.once('exit', () => reject(new Error(`exited: ${output}`)));
      });
      // The page may join after the task started: the poll on open brings it as it is by then.
      expect(output).toMatch(/^(send_email (pending|running)\n)*send_email success\n/);
    } finally {
      child.kill();
    }
  });

  it('shell lines name npm scripts, flags and files that exist', () => {
    const commands = blocks
      .filter((block) => block.lang === 'sh')
      .flatMap((block) => block.code.split('\n'))
      .flatMap((line) => line.replace(/#.*/, '').split('&&'))
      .map((command) => command.trim().split(/\s+/))
      .filter((words) => words[0]);
    let checked = 0;
    for (const words of commands) {
      if (words[0] === 'npm' && words[1] === 'test') expect(Object.keys(pkg.scripts)).toContain('test');
      else if (words[0] === 'npm' && words[1] === 'run') expect(Object.keys(pkg.scripts), words.join(' ')).toContain(words[2]);
      else if (words[0] === 'npm' && words[1] === 'install' && words[2]?.endsWith('.tgz')) expect(words[2]).toMatch(new RegExp(`/${pkg.name}-${pkg.version}\\.tgz$`));
      else if (words[0] === 'npx' && words[1] === 'flowrra-server') expect(() => parseCliArgs(words.slice(2))).not.toThrow();
      else continue;
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(3);
  });

  it('inline commands of the text: npx flowrra-server flags parse', () => {
    const text = readFileSync(join(root, 'README.md'), 'utf8');
    const inline = [...text.matchAll(/`npx flowrra-server([^`]*)`/g)].map((match) => match[1]!.trim().split(/\s+/).filter(Boolean));
    expect(inline.length).toBeGreaterThan(0);
    for (const args of inline) expect(() => parseCliArgs(args)).not.toThrow();
  });
});

function write(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
}
