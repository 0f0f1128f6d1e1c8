// Flowrra's guide, "Testing WebSocket Connection": with `debug: true` the console shows
// `WS connected`, and `WS disconnected → enabling polling` once the socket drops.
import type { ConsoleMessage } from 'playwright-core';
import { describe, expect, it, vi } from 'vitest';
import { useChromium } from './helpers/chromium';
import { DIST, example } from './helpers/paths';
import { useServers } from './helpers/servers';

describe("the guide's console lines in Chromium", () => {
  const serve = useServers();
  const chromium = useChromium();

  it.each([
    ['with a poll to fall back on', {}, 'WS disconnected → enabling polling'],
    ['with nothing to poll', { pollUrl: false }, 'WS disconnected'],
  ])('writes them %s', async (_name, options, disconnected) => {
    // The script-tag example only for its origin and the bundle: the client under test is made here.
    const server = await serve({ staticDir: example('script-tag'), distDir: DIST });
    const { page, problems } = await chromium.newPage();
    const lines: string[] = [];
    page.on('console', (message: ConsoleMessage) => {
      if (message.type() === 'log') lines.push(message.text());
    });
    await page.goto(`${server.origin}/`);
    await page.evaluate((extra) => {
      // @ts-expect-error the page's global, from the script tag
      (window as any).guided = FlowrraClient.createTaskClient({ url: '/flowrra', debug: true, ...extra });
    }, options);
    await vi.waitFor(() => expect(lines).toContain('WS connected'), { timeout: 10_000 });
    server.dropConnections();
    // The server still serves: the client comes back, and may already have when the second line is read.
    await vi.waitFor(() => expect(lines.filter((line) => line.startsWith('WS '))).toEqual(['WS connected', disconnected, 'WS connected']), { timeout: 10_000 });
    await page.evaluate(() => (window as any).guided.close());
    expect(problems()).toEqual([]);
  });
});
