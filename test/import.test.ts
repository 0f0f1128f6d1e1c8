import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';

const dist = join(__dirname, '..', 'dist');
const BROWSER_GLOBALS = ['window', 'document', 'location', 'WebSocket', 'fetch', 'navigator'];

// Every browser global becomes a getter that records the access, so "touched" is observable.
const TRAP = `
globalThis.__touched = [];
for (const name of ${JSON.stringify(BROWSER_GLOBALS)}) {
  Object.defineProperty(globalThis, name, { configurable: true, get() { globalThis.__touched.push(name); return undefined; } });
}`;

describe('importing the SDK (Node, server rendering)', () => {
  it('is built (npm test builds first)', () => {
    expect(existsSync(join(dist, 'index.js'))).toBe(true);
  });

  it.each([
    ['the ESM build', `${TRAP}; const m = await import(${JSON.stringify(join(dist, 'index.js'))});`],
    ['the CJS build', `${TRAP}; const m = (await import('node:module')).createRequire(import.meta.url)(${JSON.stringify(join(dist, 'index.cjs'))});`],
  ])('%s touches no browser global until a client is created', (_name, load) => {
    const script = `${load}
      const before = [...globalThis.__touched];
      try { m.createTaskClient({ url: 'http://127.0.0.1:1/flowrra', lazy: true }); } catch (e) { console.error(e.message); }
      console.log(JSON.stringify({ before, exported: typeof m.createTaskClient, after: globalThis.__touched.length }));`;
    const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }).trim().split('\n').pop()!);
    expect(out.exported).toBe('function');
    expect(out.before).toEqual([]);
    expect(out.after).toBeGreaterThan(0); // creating a client does look: the trap works
  });

  // A script-tag file run in a sandbox whose browser globals record any read.
  function loadScript(file: string) {
    const touched: string[] = [];
    const sandbox: Record<string, unknown> = {};
    for (const name of BROWSER_GLOBALS) {
      Object.defineProperty(sandbox, name, { get: () => void touched.push(name), enumerable: false });
    }
    runInNewContext(readFileSync(join(dist, file), 'utf8'), sandbox);
    return { touched, sandbox };
  }

  it('the script-tag bundle defines only FlowrraClient and touches nothing else at load', () => {
    const { touched, sandbox } = loadScript('flowrra-client.min.js');
    expect(touched).toEqual([]);
    const global = sandbox.FlowrraClient as Record<string, unknown>;
    expect(typeof global.createTaskClient).toBe('function');
    expect(typeof global.TaskSchema).toBe('object');
    expect(Object.keys(sandbox).filter((key) => key !== '__zod_globalConfig')).toEqual(['FlowrraClient']);
  });

  it('tab sharing is in its own files only: the client builds carry none of it', () => {
    for (const file of ['index.js', 'index.cjs', 'flowrra-client.min.js']) expect(readFileSync(join(dist, file), 'utf8'), file).not.toContain('BroadcastChannel');
    for (const file of ['share.js', 'share.cjs', 'flowrra-client.share.min.js']) expect(readFileSync(join(dist, file), 'utf8'), file).toContain('BroadcastChannel');
  });

  it("every source map names files that exist, so a debugger opens the package's own sources", () => {
    const maps = readdirSync(dist).filter((file) => file.endsWith('.map'));
    expect(maps).toContain('index.js.map');
    for (const map of maps) {
      const { sources } = JSON.parse(readFileSync(join(dist, map), 'utf8')) as { sources: string[] };
      expect(sources.length, map).toBeGreaterThan(0);
      expect(sources.filter((source) => !existsSync(resolve(dist, source))), map).toEqual([]);
    }
  });

  it('the sharing script-tag file defines only FlowrraClientShare and touches nothing else at load', () => {
    const { touched, sandbox } = loadScript('flowrra-client.share.min.js');
    expect(touched).toEqual([]);
    expect(Object.keys(sandbox)).toEqual(['FlowrraClientShare']);
    expect(typeof (sandbox.FlowrraClientShare as Record<string, unknown>).share).toBe('function');
  });
});
