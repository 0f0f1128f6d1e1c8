import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const dist = join(__dirname, '..', 'dist');
const FILES = ['server-cli.js', 'server-cli-cli-args.js', 'server.js', 'server.cjs', 'testing.js', 'testing.cjs'];
const MISSING_WS = 'the "ws" package is missing: flowrra-server and flowrra-client/server need it (npm install ws)';
const MISSING_MSW = 'the "msw" package is missing: flowrra-client/testing needs it (npm install --save-dev msw)';

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, args, { timeout: 15_000 }, (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }));
  });
}

// What the message names is what the error says: load a build and print its message, or "loaded".
const loadScript = (load: string) => `${load}.then(() => console.log('loaded'), (error) => console.log(error.message))`;

describe('an optional peer that is not installed (the npm builds, in a folder with no node_modules)', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'flowrra-peers-'));
    for (const file of FILES) copyFileSync(join(dist, file), join(dir, file));
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }');
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is built (npm test builds first)', () => {
    for (const file of FILES) expect(existsSync(join(dist, file)), file).toBe(true);
  });

  it('npx flowrra-server without ws: one line on stderr, exit 1', async () => {
    const { code, stdout, stderr } = await run([join(dir, 'server-cli.js'), '--port', '0']);
    expect({ code, stdout, stderr }).toEqual({ code: 1, stdout: '', stderr: `flowrra-server: ${MISSING_WS}\n` });
  });

  it.each([
    ['flowrra-client/server (ESM) without ws', `import(${JSON.stringify(join('DIR', 'server.js'))})`, MISSING_WS],
    ['flowrra-client/server (CJS) without ws', `Promise.resolve().then(() => require(${JSON.stringify(join('DIR', 'server.cjs'))}))`, MISSING_WS],
    ['flowrra-client/testing (ESM) without msw', `import(${JSON.stringify(join('DIR', 'testing.js'))})`, MISSING_MSW],
    ['flowrra-client/testing (CJS) without msw', `Promise.resolve().then(() => require(${JSON.stringify(join('DIR', 'testing.cjs'))}))`, MISSING_MSW],
  ])('%s: an error that says what to install', async (_name, load, message) => {
    const { stdout } = await run(['-e', loadScript(load.split('DIR').join(dir))]);
    expect(stdout).toBe(`${message}\n`);
  });
});

describe('the CommonJS builds of the test kit and the reference server (a Jest user\'s require)', () => {
  const require = createRequire(__filename);

  it('flowrra-client/testing: createFlowrraMock with its msw handlers', () => {
    const testing = require(join(dist, 'testing.cjs')) as typeof import('../testing/index');
    const flowrra = testing.createFlowrraMock({ url: 'http://localhost/flowrra' });
    expect(flowrra.handlers.length).toBeGreaterThan(0);
    expect(flowrra.submit({ task_name: 'send_email' }).status).toBe('pending');
  });

  it('flowrra-client/server: starts, answers and stops', async () => {
    const server = require(join(dist, 'server.cjs')) as typeof import('../server/index');
    const srv = await server.startReferenceServer({ port: 0 });
    try {
      expect((await fetch(`${srv.url}/api/results`)).status).toBe(200);
    } finally {
      await srv.stop();
    }
  });
});
