// shareConnection in Chromium: several pages of one browser context against the reference server.
import { describe, expect, it, vi } from 'vitest';
import { useChromium, useFreezableChromium } from './helpers/chromium';
import { useServers } from './helpers/servers';
import { setHidden } from './helpers/task-page';
import { TABS_SITE, loadTab, openTab, repeated, rolledBack, roles, seenIn, waitFinal, waitForTab, type Tab } from './helpers/tabs';
import type { ReferenceServer } from '../../server/index';

describe('tabs sharing one connection', () => {
  const serve = useServers();
  const chromium = useChromium({ bfcache: true });
  const freezable = useFreezableChromium();

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
    await waitForTab(tabs[0].page, 'leader', 'live');
    for (const tab of tabs.slice(1)) await waitForTab(tab.page, 'follower', 'live');
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
      expect(rolledBack(seen)).toEqual([]);
      for (const id of ids) expect(seen.deliveries[id].at(-1)).toBe('task.update success');
      expect(seen.errors).toEqual([]);
    }
  });

  it('closing the leader while tasks run: a new leader is live at once, and no tab misses a change', async () => {
    const server = await serve(TABS_SITE);
    const { tabs } = await openGroup(server, 4);
    await waitForTab(tabs[0].page, 'leader', 'live');
    for (const tab of tabs.slice(1)) await waitForTab(tab.page, 'follower', 'live');

    const ids = submitSome(server, 8, 200);
    const closedAt = Date.now();
    await tabs[0].page.close();
    // Tasks that start and finish while leadership moves.
    const during = submitSome(server, 4, 50);
    const rest = tabs.slice(1);
    await vi.waitFor(async () => expect((await roles(rest)).filter((role) => role === 'leader')).toHaveLength(1), { timeout: 10_000 });
    const leader = rest[(await roles(rest)).indexOf('leader')];
    await waitForTab(leader.page, 'leader', 'live');
    const handoffMs = (await seenIn(leader.page)).leadLiveAt - closedAt;
    console.log(`handoff: new leader live ${handoffMs} ms after the leader's tab was closed`);
    // The issue's figure is 1 s; the bound here is generous for a loaded machine, the figure is reported.
    expect(handoffMs).toBeLessThan(5000);

    for (const tab of rest) await waitFinal(tab.page, [...ids, ...during]);
    await vi.waitFor(() => expect(server.connections()).toBe(1));
    for (const tab of rest) {
      const seen = await seenIn(tab.page);
      expect(repeated(seen)).toEqual([]);
      expect(rolledBack(seen)).toEqual([]);
      expect(seen.errors).toEqual([]);
    }
  });

  it('a leader that goes into the back/forward cache hands over; back, it follows, and the group keeps one socket', async () => {
    const server = await serve(TABS_SITE);
    const { tabs } = await openGroup(server, 3);
    const [away, ...others] = tabs;
    await waitForTab(away.page, 'leader', 'live');
    for (const tab of others) await waitForTab(tab.page, 'follower', 'live');
    const cdp = await away.page.context().newCDPSession(away.page);
    await cdp.send('Page.enable');
    const notCached: string[] = [];
    cdp.on('Page.backForwardCacheNotUsed', (event) => notCached.push(JSON.stringify(event.notRestoredExplanations)));
    await away.page.evaluate(() => addEventListener('pageshow', (event) => ((window as unknown as { __restored: boolean }).__restored = event.persisted)));

    await away.page.goto('about:blank');
    await vi.waitFor(async () => expect((await roles(others)).sort()).toEqual(['follower', 'leader']), { timeout: 10_000 });
    const whileAway = submitSome(server, 2, 50);
    for (const tab of others) await waitFinal(tab.page, whileAway);

    await away.page.goBack({ waitUntil: 'commit' });
    await waitForTab(away.page, 'follower', 'live');
    expect(await away.page.evaluate(() => (window as unknown as { __restored?: boolean }).__restored)).toBe(true);
    expect(notCached).toEqual([]);
    // Back, it gets the leader's tasks at once, those it missed while away included.
    await waitFinal(away.page, whileAway);
    const after = submitSome(server, 2, 50);
    for (const tab of tabs) await waitFinal(tab.page, after);
    await vi.waitFor(() => expect(server.connections()).toBe(1));
    expect((await seenIn(away.page)).roles).toEqual(['leader', 'follower']);
    for (const tab of tabs) expect(repeated(await seenIn(tab.page))).toEqual([]);
  });

  it('another url, another shareKey or another browser context is another group; shareConnection false shares nothing', async () => {
    const server = await serve(TABS_SITE);
    const { context, tabs } = await openGroup(server, 2);
    const otherUrl = await openTab(context, server, { share: 1, mount: '/flowrra?tenant=2' });
    const otherKey = await openTab(context, server, { share: 1, key: 'user-2' });
    const { page: elsewhere } = await chromium.newPage();
    const otherContext = await openTab(elsewhere.context(), server, { share: 1 });
    const alone = [await openTab(context, server, { share: 0 }), await openTab(context, server, { share: 0 })];

    await waitForTab(tabs[1].page, 'follower', 'live');
    for (const tab of [tabs[0], otherUrl, otherKey, otherContext]) await waitForTab(tab.page, 'leader', 'live');
    for (const tab of alone) await waitForTab(tab.page, 'solo', 'live');
    // One socket for the pair, one for each other group, one for each solo client.
    await vi.waitFor(() => expect(server.connections()).toBe(6));
    const ids = submitSome(server, 2, 50);
    for (const tab of [...tabs, otherUrl, otherKey, otherContext, ...alone]) await waitFinal(tab.page, ids);
    for (const tab of alone) {
      expect(tab.traffic).toEqual({ sockets: 1, polls: 1 });
      expect((await seenIn(tab.page)).roles).toEqual([]);
    }
  });

  it('socket refused for the whole group: exactly one tab polls, and every tab shows the polled tasks', async () => {
    const server = await serve(TABS_SITE);
    server.refuseUpgrades(true);
    const { tabs } = await openGroup(server, 3, { share: 1, poll: 500 });
    await waitForTab(tabs[0].page, 'leader', 'polling');
    for (const tab of tabs.slice(1)) await waitForTab(tab.page, 'follower', 'polling');
    const ids = ['polled-1', 'polled-2'];
    for (const id of ids) server.emit({ type: 'task.update', task: { task_id: id, task_name: 'sync', status: 'success' } });
    for (const tab of tabs) await waitFinal(tab.page, ids);

    expect(tabs[0].traffic.polls).toBeGreaterThan(0);
    expect(tabs.slice(1).map((tab) => tab.traffic)).toEqual([{ sockets: 0, polls: 0 }, { sockets: 0, polls: 0 }]);
    expect(server.polls()).toBe(tabs[0].traffic.polls);
    for (const tab of tabs) {
      const seen = await seenIn(tab.page);
      expect(seen.deliveries['polled-1']).toEqual(['task.update success']);
    }
  });

  it('a frozen leader: a visible follower takes over, nothing is lost, and thawed the old leader follows', async () => {
    const server = await serve(TABS_SITE);
    const tabs: Tab[] = [];
    for (let i = 0; i < 3; i++) tabs.push(await loadTab(await freezable.newPage(), server));
    const [frozen, ...others] = tabs;
    await waitForTab(frozen.page, 'leader', 'live');
    for (const tab of others) await waitForTab(tab.page, 'follower', 'live');
    const before = submitSome(server, 2, 50);
    for (const tab of tabs) await waitFinal(tab.page, before);

    // As Chrome freezes a background tab: hidden first (a hidden leader of a live group stays leader),
    // then its task queues stop: no timer, no heartbeat, no message, and the lock still held.
    const cdp = await frozen.page.context().newCDPSession(frozen.page);
    await frozen.page.evaluate(() => document.addEventListener('freeze', () => console.log('freeze event'), { once: true }));
    const froze = frozen.page.waitForEvent('console', (message) => message.text() === 'freeze event');
    await cdp.send('Page.setWebLifecycleState', { state: 'frozen' });
    await froze;
    const frozenAt = Date.now();
    // Changes while the leader is frozen: it can pass nothing on, and, deposed, it learns them from the new leader.
    const during = submitSome(server, 3, 100);
    await vi.waitFor(async () => expect((await roles(others)).sort()).toEqual(['follower', 'leader']), { timeout: 20_000 });
    const leader = others[(await roles(others)).indexOf('leader')];
    await waitForTab(leader.page, 'leader', 'live');
    console.log(`frozen leader: new leader live ${(await seenIn(leader.page)).leadLiveAt - frozenAt} ms after the freeze`);
    for (const tab of others) await waitFinal(tab.page, during);

    // Thawed, and shown again as when its user comes back to it: focus emulation, as Playwright turns
    // on for its own pages, counts as capturing the page, and Chromium shows a captured page.
    await cdp.send('Page.setWebLifecycleState', { state: 'active' });
    await cdp.send('Emulation.setFocusEmulationEnabled', { enabled: true });
    await waitForTab(frozen.page, 'follower', 'live');
    await vi.waitFor(() => expect(server.connections()).toBe(1));
    const after = submitSome(server, 2, 50);
    for (const tab of tabs) await waitFinal(tab.page, [...during, ...after]);
    expect((await seenIn(frozen.page)).roles).toEqual(['leader', 'follower']);
    for (const tab of tabs) expect(repeated(await seenIn(tab.page))).toEqual([]);
  }, 60_000);

  it('hostile messages on the channel are reported in every tab and change nothing', async () => {
    const server = await serve(TABS_SITE);
    const { context, tabs } = await openGroup(server, 3);
    await waitForTab(tabs[0].page, 'leader', 'live');
    for (const tab of tabs.slice(1)) await waitForTab(tab.page, 'follower', 'live');
    const before = submitSome(server, 2, 50);
    for (const tab of tabs) await waitFinal(tab.page, before);
    const snapshot = () =>
      Promise.all(
        tabs.map((tab) =>
          tab.page.evaluate(() => {
            const { client } = window as unknown as { client: { version: number; state: string; role: string; tasks: Map<string, unknown> } };
            return { version: client.version, state: client.state, role: client.role, tasks: JSON.stringify([...client.tasks]) };
          }),
        ),
      );
    const was = await snapshot();

    // Another page of the origin, not in the group, posting on the group's channel.
    const hostile = await openTab(context, server, { share: 0 });
    const sent = await hostile.page.evaluate(() => {
      const name = `flowrra-client/1 ${JSON.stringify([`ws://${location.host}/flowrra/ws`, `http://${location.host}/flowrra/api/results`, ''])}`;
      const task = { task_id: 'hostile', status: 'success' };
      const deep = '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000);
      const messages: unknown[] = [
        { t: 'change', f: 'x', type: 'task.update', source: 'ws', task }, // an object, not JSON text
        42,
        null,
        new ArrayBuffer(8),
        'not json {',
        'x'.repeat(2 * 1024 * 1024), // 2 MiB, not JSON
        '"a string"',
        '[]',
        '{}',
        JSON.stringify({ t: 'change', type: 'task.update', source: 'ws', task }), // no sender
        JSON.stringify({ t: 'change', f: 'x', type: 'task.explode', source: 'ws', task }),
        JSON.stringify({ t: 'change', f: 'x', type: 'task.update', source: 'carrier pigeon', task }),
        JSON.stringify({ t: 'change', f: 'x', type: 'task.update', source: 'ws', task: { ...task, retries: '2' } }),
        JSON.stringify({ t: 'change', f: 'x', type: 'task.update', source: 'ws', task: { task_id: '', status: 'success' } }),
        `{"t":"change","f":"x","type":"task.update","source":"ws","task":{"__proto__":{"polluted":true},"task_id":"hostile"}}`,
        `{"__proto__":{"t":"beat","state":"polling","hidden":false},"f":"x"}`,
        JSON.stringify({ t: '__proto__', f: 'x' }),
        JSON.stringify({ t: 'constructor', f: 'x' }),
        JSON.stringify({ t: 'beat', f: 'x', state: 'closed', hidden: false }),
        JSON.stringify({ t: 'beat', f: 'x', state: 'toString', hidden: false }),
        JSON.stringify({ t: 'tasks', f: 'x', to: 'x', tasks: [task, { task_id: 'hostile-2' }] }),
        JSON.stringify({ t: 'tasks', f: 'x', to: 'x', tasks: { length: 1, 0: task } }),
        JSON.stringify({ t: 'error', f: 'x', kind: 'listener', message: 'not a group error' }),
        JSON.stringify({ t: 'error', f: 'x', kind: 'poll', message: 42 }),
        JSON.stringify({ t: 'refresh', f: 'x', id: 'one' }),
        JSON.stringify({ t: 'done', f: 'x', to: 7, id: 1 }),
        `{"t":"change","f":"x","type":"task.update","source":"ws","task":${deep}}`,
      ];
      const channel = new BroadcastChannel(name);
      for (const message of messages) channel.postMessage(message);
      channel.close();
      return messages.length;
    });

    for (const tab of tabs) {
      await tab.page.waitForFunction((n) => (window as unknown as { __seen: { errors: string[] } }).__seen.errors.length >= n, sent, { timeout: 10_000 });
    }
    // Still one group, working: a task after the noise reaches every tab.
    const after = submitSome(server, 1, 50);
    for (const tab of tabs) await waitFinal(tab.page, after);
    const now = await snapshot();
    for (const [i, tab] of tabs.entries()) {
      const { errors, deliveries } = await seenIn(tab.page);
      expect(errors).toHaveLength(sent);
      expect(errors.every((error) => /^(parse|validation): channel/.test(error))).toBe(true);
      expect(await tab.page.evaluate(() => (Object.prototype as Record<string, unknown>).polluted)).toBeUndefined();
      // Every change since is the task submitted after the noise.
      expect(now[i].version - was[i].version).toBe(deliveries[after[0]].length);
      expect({ ...now[i], version: 0, tasks: '' }).toEqual({ ...was[i], version: 0, tasks: '' });
      expect(JSON.parse(now[i].tasks).map(([id]: [string]) => id)).toEqual([...JSON.parse(was[i].tasks).map(([id]: [string]) => id), ...after]);
    }
  }, 60_000);

  it('maxFrameBytes below the snapshot: a tab that joins late gets every task at once', async () => {
    const server = await serve(TABS_SITE);
    const query = { share: 1, max: 1024 };
    const { context, tabs } = await openGroup(server, 1, query);
    await waitForTab(tabs[0].page, 'leader', 'live');
    const ids = submitSome(server, 8, 50);
    await waitFinal(tabs[0].page, ids);
    // The tasks are final: nothing but the leader's snapshot can bring them.
    const late = await openTab(context, server, query);
    await waitForTab(late.page, 'follower', 'live');
    await waitFinal(late.page, ids);
    expect((await seenIn(late.page)).errors).toEqual([]);
  });

  it('close() from a role listener as the tab becomes leader: the lock is let go at once and no socket opens', async () => {
    const server = await serve(TABS_SITE);
    const { context, tabs } = await openGroup(server, 1);
    await waitForTab(tabs[0].page, 'leader', 'live');
    const closing = await openTab(context, server, { share: 1, closeOn: 'leader' });
    await waitForTab(closing.page, 'follower', 'live');
    await tabs[0].page.close();
    await closing.page.waitForFunction(() => (window as unknown as { client: { state: string } }).client.state === 'closed');
    // Nothing held or queued in the origin: the next tab needs no heartbeat steal.
    await vi.waitFor(async () => expect(await closing.page.evaluate(() => navigator.locks.query())).toEqual({ held: [], pending: [] }), { timeout: 10_000 });
    const next = await openTab(context, server);
    await waitForTab(next.page, 'leader', 'live');
    await vi.waitFor(() => expect(server.connections()).toBe(1));
    expect(closing.traffic.sockets).toBe(0);
    expect((await seenIn(closing.page)).roles).toEqual(['leader', 'solo']);
  });

  it('a hidden leader while the group polls: a visible follower takes over, so the polls go on', async () => {
    const server = await serve(TABS_SITE);
    server.refuseUpgrades(true);
    const { tabs } = await openGroup(server, 2, { share: 1, poll: 500 });
    const [hidden, visible] = tabs;
    await waitForTab(hidden.page, 'leader', 'polling');
    await waitForTab(visible.page, 'follower', 'polling');

    // A hidden page holds its polls: left leading, it would leave the whole group without news.
    await setHidden(hidden.page, true);
    await waitForTab(visible.page, 'leader', 'polling');
    await waitForTab(hidden.page, 'follower', 'polling');
    const polls = visible.traffic.polls;
    const hiddenPolls = hidden.traffic.polls;
    server.emit({ type: 'task.update', task: { task_id: 'while-hidden', task_name: 'sync', status: 'success' } });
    for (const tab of tabs) await waitFinal(tab.page, ['while-hidden']);
    expect(visible.traffic.polls).toBeGreaterThan(polls);
    expect(hidden.traffic.polls).toBe(hiddenPolls);
    expect((await seenIn(hidden.page)).roles).toEqual(['leader', 'follower']);
  });
});
