// shareConnection in Chromium: several pages of one browser context against the reference server.
import { describe, expect, it, vi } from 'vitest';
import { useChromium } from './helpers/chromium';
import { useServers } from './helpers/servers';
import { TABS_SITE, openTab, repeated, roles, seenIn, waitFinal, waitFor, type Tab } from './helpers/tabs';
import type { ReferenceServer } from '../../server/index';

describe('tabs sharing one connection', () => {
  const serve = useServers();
  const chromium = useChromium({ bfcache: true });

  /** `count` tabs in one context, the first one leading (it was alone when it opened). */
  async function openGroup(server: ReferenceServer, count: number, query: Record<string, string | number> = { share: 1 }) {
    const { page: first } = await chromium.newPage();
    const context = first.context();
    await first.close();
    const tabs: Tab[] = [];
    for (let i = 0; i < count; i++) tabs.push(await openTab(context, server, query));
    return { context, tabs };
  }

  const submitSome = (server: ReferenceServer, count: number, duration = 300) =>
    Array.from({ length: count }, (_, i) => server.submit({ name: `job_${i}`, duration_ms: duration + 100 * i }));

  it('4 tabs: the server sees one socket, every tab shows every task final, none gets a change twice', async () => {
    const server = await serve(TABS_SITE);
    const { tabs } = await openGroup(server, 4);
    await waitFor(tabs[0].page, 'leader', 'live');
    for (const tab of tabs.slice(1)) await waitFor(tab.page, 'follower', 'live');
    expect(server.connections()).toBe(1);

    const ids = submitSome(server, 6);
    for (const tab of tabs) await waitFinal(tab.page, ids);

    expect(await roles(tabs)).toEqual(['leader', 'follower', 'follower', 'follower']);
    expect(server.connections()).toBe(1);
    expect(server.upgrades()).toBe(1);
    expect(tabs.map((tab) => tab.traffic)).toEqual([{ sockets: 1, polls: 1 }, ...Array(3).fill({ sockets: 0, polls: 0 })]);
    for (const tab of tabs) {
      const seen = await seenIn(tab.page);
      expect(repeated(seen)).toEqual([]);
      for (const id of ids) expect(seen.deliveries[id].at(-1)).toBe('task.update success');
      expect(seen.errors).toEqual([]);
    }
  });

  it('closing the leader while tasks run: a new leader is live at once, and no tab misses a change', async () => {
    const server = await serve(TABS_SITE);
    const { tabs } = await openGroup(server, 4);
    await waitFor(tabs[0].page, 'leader', 'live');
    for (const tab of tabs.slice(1)) await waitFor(tab.page, 'follower', 'live');

    const ids = submitSome(server, 8, 200);
    const closedAt = Date.now();
    await tabs[0].page.close();
    // Tasks that start and finish while leadership moves.
    const during = submitSome(server, 4, 50);
    const rest = tabs.slice(1);
    await vi.waitFor(async () => expect((await roles(rest)).filter((role) => role === 'leader')).toHaveLength(1), { timeout: 10_000 });
    const leader = rest[(await roles(rest)).indexOf('leader')];
    await waitFor(leader.page, 'leader', 'live');
    const handoffMs = (await seenIn(leader.page)).leadLiveAt - closedAt;
    console.log(`handoff: new leader live ${handoffMs} ms after the leader's tab was closed`);
    // The figure is 1 s; the bound here is generous for a loaded machine, the figure is reported.
    expect(handoffMs).toBeLessThan(5000);

    for (const tab of rest) await waitFinal(tab.page, [...ids, ...during]);
    await vi.waitFor(() => expect(server.connections()).toBe(1));
    for (const tab of rest) {
      const seen = await seenIn(tab.page);
      expect(repeated(seen)).toEqual([]);
      expect(seen.errors).toEqual([]);
    }
  });
});
