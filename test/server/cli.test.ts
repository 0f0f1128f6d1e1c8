import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliUsageError, main, parseCliArgs, USAGE } from '../../server/cli-args';

describe('parseCliArgs', () => {
  it('maps every flag to an option', () => {
    const argv = [
      '--port', '0', '--host', '0.0.0.0', '--simulate', '2.5', '--token', 'S', '--cors', 'http://a.test',
      '--origin', 'http://a.test', '--origin', 'http://b.test', '--static', 'site', '--dist', 'dist',
      '--tls-cert', 'c.pem', '--tls-key', 'k.pem', '--max-connections', '50',
    ];
    expect(parseCliArgs(argv)).toEqual({
      help: false,
      options: {
        port: 0, host: '0.0.0.0', simulate: 2.5, token: 'S', cors: 'http://a.test', origins: ['http://a.test', 'http://b.test'],
        staticDir: 'site', distDir: 'dist', tlsCert: 'c.pem', tlsKey: 'k.pem', maxConnections: 50,
      },
    });
  });

  it('defaults to port 8000 and leaves the rest to the server', () => {
    expect(parseCliArgs([])).toEqual({ help: false, options: { port: 8000 } });
    expect(parseCliArgs(['-h'])).toEqual({ help: true });
  });

  it('rejects unknown flags and bad values', () => {
    for (const argv of [['--nope'], ['--port', 'x'], ['--port', '70000'], ['--port', '1.5'], ['--simulate', '-1'],
      ['--max-connections', '0'], ['--tls-cert', 'c.pem'], ['--port'], ['extra']]) {
      expect(() => parseCliArgs(argv), argv.join(' ')).toThrow(CliUsageError);
    }
  });
});

describe('main', () => {
  it('prints usage for --help without starting anything', async () => {
    const lines: string[] = [];
    expect(await main(['--help'], { log: (l) => lines.push(l), error: () => undefined })).toBeUndefined();
    expect(lines).toEqual([USAGE]);
  });

  it('starts the server, prints its URL and stops on shutdown', async () => {
    const lines: string[] = [];
    const running = (await main(['--port', '0'], { log: (l) => lines.push(l), error: () => undefined }))!;
    try {
      expect(lines[0]).toContain(running.server.url);
      expect((await fetch(`${running.server.url}/api/results`)).status).toBe(200);
      expect(process.listeners('SIGTERM')).toContain(running.shutdown);
    } finally {
      await running.shutdown();
    }
    expect(process.listeners('SIGTERM')).not.toContain(running.shutdown);
    await expect(fetch(`${running.server.url}/api/results`)).rejects.toThrow();
  });
});

describe('flowrra-server executable', () => {
  let dir: string;
  let cli: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flowrra-cli-'));
    cli = join(dir, 'cli.cjs');
    // Bundled the way the published bin is; `ws` reaches its optional native helpers through a guarded require.
    await build({
      entryPoints: [join(__dirname, '../../server/cli.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: cli,
      external: ['bufferutil', 'utf-8-validate'],
      logLevel: 'silent',
    });
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the shebang', () => {
    expect(readFileSync(cli, 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
  });

  it('prints the URL, serves, and exits 0 on SIGTERM with nothing left running', async () => {
    const child = spawn(process.execPath, [cli, '--port', '0', '--simulate', '20'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let stdout = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
        const match = /(http:\/\/127\.0\.0\.1:\d+\/flowrra)/.exec(stdout);
        if (match) resolve(match[1]);
      });
      child.once('exit', () => reject(new Error(`exited early: ${stdout}`)));
    });
    expect((await fetch(`${url}/api/results`)).status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  // stderr and the exit code of one run that is expected to end by itself.
  async function fails(args: string[]): Promise<{ code: number | null; stderr: string }> {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    return { code, stderr };
  }

  it('a busy port: one line, exit 1', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const { port } = busy.address() as AddressInfo;
    try {
      expect(await fails(['--port', String(port)])).toEqual({
        code: 1,
        stderr: `flowrra-server: port ${port} on 127.0.0.1 is in use: pass another --port, or --port 0 for any free one\n`,
      });
    } finally {
      busy.close();
    }
  });

  it.each(['--static', '--dist'])('%s with a folder that does not exist: one line, exit 1, nothing served', async (flag) => {
    const missing = join(dir, 'no-such-folder');
    expect(await fails(['--port', '0', flag, missing])).toEqual({ code: 1, stderr: `flowrra-server: ${flag} ${missing}: no such directory\n` });
  });

  it('exits 2 with usage on a bad flag', async () => {
    const child = spawn(process.execPath, [cli, '--bogus'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('Usage: flowrra-server');
  });
});
