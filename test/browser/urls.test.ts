// The socket URL a real page derives from the default `url: '/flowrra'`: the scheme follows the page's.
import { generate } from 'selfsigned';
import { describe, expect, it } from 'vitest';
import { useChromium } from './helpers/chromium';
import { DIST, example } from './helpers/paths';
import { useServers } from './helpers/servers';
import { waitForState } from './helpers/task-page';

describe('socket URL in the browser', () => {
  const serve = useServers();
  // The https server's certificate is self-signed for 127.0.0.1.
  const chromium = useChromium({ args: ['--ignore-certificate-errors'] });
  const site = { staticDir: example('script-tag'), distDir: DIST };

  it('is ws:// on a page served over http', async () => {
    const server = await serve(site);
    const { page, sockets, problems } = await chromium.newPage();
    await page.goto(`${server.origin}/`);
    await waitForState(page, 'live');
    expect(server.origin).toMatch(/^http:/);
    expect(sockets).toEqual([`ws://127.0.0.1:${server.port}/flowrra/ws`]);
    expect(problems()).toEqual([]);
  });

  it('is wss:// on a page served over https', async () => {
    const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
      keySize: 2048,
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
    });
    const server = await serve({ ...site, tlsCert: pems.cert, tlsKey: pems.private });
    const { page, sockets, problems } = await chromium.newPage({ ignoreHTTPSErrors: true });
    await page.goto(`${server.origin}/`);
    await waitForState(page, 'live');
    expect(server.origin).toMatch(/^https:/);
    expect(sockets).toEqual([`wss://127.0.0.1:${server.port}/flowrra/ws`]);
    expect(problems()).toEqual([]);
  });
});
