import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReferenceServer } from '../../server/index';
import { start } from './helpers';

let top: string;
let site: string;
let dist: string;

beforeAll(() => {
  top = mkdtempSync(join(tmpdir(), 'flowrra-static-'));
  site = join(top, 'site');
  dist = join(top, 'dist');
  mkdirSync(join(site, 'sub'), { recursive: true });
  mkdirSync(dist);
  writeFileSync(join(top, 'secret.txt'), 'TOP SECRET');
  writeFileSync(join(site, 'index.html'), '<h1>home</h1>');
  writeFileSync(join(site, 'sub', 'index.html'), '<h1>sub</h1>');
  writeFileSync(join(site, 'app.js'), 'console.log(1)');
  writeFileSync(join(site, 'demo.css'), 'body{}');
  writeFileSync(join(site, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  writeFileSync(join(site, 'data.json'), '{}');
  symlinkSync(join(top, 'secret.txt'), join(site, 'link.txt'));
  writeFileSync(join(dist, 'flowrra-client.min.js'), 'var FlowrraClient={}');
  writeFileSync(join(dist, 'flowrra-client.min.js.map'), '{"version":3}');
  writeFileSync(join(dist, 'flowrra-client.share.min.js'), 'var FlowrraClientShare={}');
});

afterAll(() => rmSync(top, { recursive: true, force: true }));

/** A raw request, so the path reaches the server exactly as written. */
function get(server: ReferenceServer, path: string): Promise<{ status: number; type?: string; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port: server.port, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type'], body }));
    })
      .on('error', reject)
      .end();
  });
}

describe('static files', () => {
  it('serves staticDir under / with content types, index.html for directories', async () => {
    const server = await start({ staticDir: site });
    const cases: [string, string, string][] = [
      ['/', 'text/html; charset=utf-8', '<h1>home</h1>'],
      ['/sub/', 'text/html; charset=utf-8', '<h1>sub</h1>'],
      ['/app.js', 'text/javascript; charset=utf-8', 'console.log(1)'],
      ['/demo.css', 'text/css; charset=utf-8', 'body{}'],
      ['/data.json', 'application/json', '{}'],
    ];
    for (const [path, type, body] of cases) expect(await get(server, path)).toEqual({ status: 200, type, body });
    expect((await get(server, '/logo.png')).type).toBe('image/png');
    expect((await get(server, '/missing.html')).status).toBe(404);
  });

  it('never serves files outside the root', async () => {
    const server = await start({ staticDir: site });
    for (const path of ['/../secret.txt', '/..%2fsecret.txt', '/%2e%2e/secret.txt', '/sub/..%2F..%2Fsecret.txt', '/link.txt', '/%00', '/%zz']) {
      const res = await get(server, path);
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.body, path).not.toContain('TOP SECRET');
    }
  });

  it('serves the script-tag files at /flowrra-client.min.js and /flowrra-client.share.min.js, and dist/ at /dist/', async () => {
    const server = await start({ distDir: dist });
    expect(await get(server, '/flowrra-client.min.js')).toEqual({
      status: 200,
      type: 'text/javascript; charset=utf-8',
      body: 'var FlowrraClient={}',
    });
    expect(await get(server, '/flowrra-client.share.min.js')).toMatchObject({ status: 200, body: 'var FlowrraClientShare={}' });
    expect(await get(server, '/dist/flowrra-client.min.js.map')).toEqual({ status: 200, type: 'application/json', body: '{"version":3}' });
    expect((await get(server, '/dist/..%2fsecret.txt')).status).toBe(403);
    expect((await get(server, '/')).status).toBe(404);
  });

  it('keeps static files public when a token guards the API', async () => {
    const server = await start({ staticDir: site, token: 's3cret' });
    expect((await get(server, '/app.js')).status).toBe(200);
    expect((await get(server, '/flowrra/api/results')).status).toBe(401);
  });
});
