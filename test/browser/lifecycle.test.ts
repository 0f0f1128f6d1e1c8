// The SDK's page lifecycle handlers (src/page.ts) in Chromium: the back/forward cache for real,
// page visibility by override, because headless Chromium never hides a page (see setHidden).
import { describe, expect, it, vi } from 'vitest';
import { useChromium } from './helpers/chromium';
import { POLL_MS, REFUSED_HANDSHAKE, openLive, type Site } from './helpers/example-suite';
import { DIST, example } from './helpers/paths';
import { useServers } from './helpers/servers';
import { errorsShown, recordPage, seen, setHidden, waitForState, waitForStatus } from './helpers/task-page';

const site: Site = { staticDir: example('script-tag'), distDir: DIST, path: '/' };

describe('page lifecycle', () => {
  const serve = useServers();
  const chromium = useChromium({ bfcache: true });

  it('closes the socket quietly on pagehide; back from the bfcache it reconnects and reconciles', async () => {
    const server = await serve(site);
    const opened = await chromium.newPage();
    const { page, problems } = opened;
    const notCached: string[] = [];
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Page.enable');
    cdp.on('Page.backForwardCacheNotUsed', (event) => notCached.push(JSON.stringify(event.notRestoredExplanations)));
    await page.addInitScript(() => {
      const shows: boolean[] = ((window as unknown as { __pageshows: boolean[] }).__pageshows = []);
      addEventListener('pageshow', (event) => shows.push(event.persisted));
    });
    await recordPage(page);
    await page.goto(`${server.origin}/?poll=${POLL_MS}`);
    await waitForState(page, 'live');
    await vi.waitFor(() => expect(server.connections()).toBe(1));
    const upgrades = server.upgrades();

    await page.goto('about:blank');
    // Chromium keeps no page with an open socket in the cache: this close is what makes it eligible.
    await vi.waitFor(() => expect(server.connections()).toBe(0));
    const away = server.submit({ name: 'while_away', duration_ms: 50 });
    await vi.waitFor(() => expect(server.results().find((t) => t.task_id === away)?.status).toBe('success'));

    // A page restored from the cache fires no `load`, so wait for the commit only.
    await page.goBack({ waitUntil: 'commit' });
    await waitForState(page, 'live');
    await waitForStatus(page, away, 'success');

    expect(notCached).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { __pageshows: boolean[] }).__pageshows)).toEqual([false, true]);
    expect(server.upgrades()).toBe(upgrades + 1);
    const { states } = await seen(page);
    // Quiet: leaving neither fell back to polling nor closed the client; coming back reconnected.
    expect(states.slice(states.indexOf('live'))).toEqual(['live', 'connecting', 'live']);
    expect(await errorsShown(page)).toEqual([]);
    expect(problems()).toEqual([]);
  });

  it('stops polling while the page is hidden and polls at once when it is shown', async () => {
    const server = await serve(site);
    server.refuseUpgrades(true);
    const { page, problems } = await chromium.newPage();
    await page.goto(`${server.origin}/?poll=${POLL_MS}`);
    await waitForState(page, 'polling');
    // Polling runs while visible, so the pause below is the page's doing.
    const visible = server.polls();
    await vi.waitFor(() => expect(server.polls()).toBeGreaterThanOrEqual(visible + 2), { timeout: 3 * POLL_MS });

    await setHidden(page, true);
    const hidden = server.polls();
    // An observation window, not a synchronisation: three intervals in which no poll may start.
    await page.evaluate((ms) => new Promise((resolve) => setTimeout(resolve, ms)), 3 * POLL_MS);
    // One poll may have been in flight when the page was hidden.
    expect(server.polls()).toBeLessThanOrEqual(hidden + 1);

    const before = server.polls();
    await setHidden(page, false);
    // Well inside the interval: a poll merely resumed on its timer would come a whole interval later.
    await vi.waitFor(() => expect(server.polls()).toBeGreaterThan(before), { timeout: 0.7 * POLL_MS, interval: 10 });
    expect(problems(REFUSED_HANDSHAKE)).toEqual([]);
  });
});
