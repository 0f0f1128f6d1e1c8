import { describe, expect, it, vi } from 'vitest';
import { useChromium, type TestPage } from './chromium';
import { emitHostileTask, expectShownAsText } from './hostile';
import { useServers } from './servers';
import { errorsShown, recordPage, seen, waitForState, waitForStatus } from './task-page';
import type { ReferenceServer } from '../../../server/index';

/** Short timings for the page under test, given through its URL (`?poll=&retry=`). */
export const POLL_MS = 1000;
export const RETRY_MS = 1000;
// Chromium reports each refused handshake on the console itself; the page has no say in that.
export const REFUSED_HANDSHAKE = /WebSocket connection to 'wss?:\/\/[^']+\/flowrra\/ws' failed/;

export interface Site {
  /** What the reference server serves under `/`. */
  staticDir: string;
  /** The SDK build, served at `/flowrra-client.min.js` and `/dist/*`. */
  distDir?: string;
  /** The page, relative to the server's origin. */
  path: string;
}

/** Opens the page with the short timings and waits for its client to be live. */
export async function openLive(chromium: ReturnType<typeof useChromium>, server: ReferenceServer, site: Site): Promise<TestPage> {
  const opened = await chromium.newPage();
  await recordPage(opened.page);
  await opened.page.goto(`${server.origin}${site.path}?poll=${POLL_MS}&retry=${RETRY_MS}`);
  await waitForState(opened.page, 'live');
  return opened;
}

/**
 * The behaviour every example page must show in a real browser. `site` is read when the tests run,
 * so a file can build its page in `beforeAll` first.
 */
export function describeExamplePage(name: string, site: () => Site): void {
  describe(name, () => {
    const serve = useServers();
    const chromium = useChromium();
    const start = () => serve({ staticDir: site().staticDir, distDir: site().distDir });

    it('shows updates as they happen, over the socket, without reloading, with a clean console', async () => {
      const server = await start();
      const { page, problems } = await openLive(chromium, server, site());
      let loads = 0;
      page.on('load', () => loads++);
      // The poll that reconciles on open; after it, a live client polls no more.
      await vi.waitFor(() => expect(server.polls()).toBeGreaterThan(0));
      const polls = server.polls();

      const taskId = server.submit({ name: 'resize_image', duration_ms: 300 });
      await waitForStatus(page, taskId, 'success');

      const statuses = (await seen(page)).statuses[taskId];
      expect(statuses.slice(statuses.indexOf('running'))).toEqual(['running', 'success']);
      expect(server.polls()).toBe(polls);
      expect(loads).toBe(0);
      expect(await errorsShown(page)).toEqual([]);
      expect(problems()).toEqual([]);
    });

    it('polls while upgrades are refused, new tasks appearing within one poll interval, then goes live again', async () => {
      const server = await start();
      const { page, problems } = await openLive(chromium, server, site());

      server.refuseUpgrades(true);
      server.dropConnections();
      await waitForState(page, 'polling');
      const taskId = 'made-while-polling';
      const polls = server.polls();
      server.emit({ type: 'task.update', task: { task_id: taskId, task_name: 'sync_inventory', status: 'success' } });
      await waitForStatus(page, taskId, 'success', 2 * POLL_MS);
      // Counted, not timed, so a loaded machine cannot fail it: the first poll after the task
      // existed brought it, and the next one, a whole interval later, has not started yet.
      expect(server.polls()).toBe(polls + 1);

      server.refuseUpgrades(false);
      await waitForState(page, 'live', RETRY_MS + 4000);
      const liveId = server.submit({ name: 'send_email', duration_ms: 50 });
      await waitForStatus(page, liveId, 'success');

      const states = (await seen(page)).states;
      expect(states.slice(states.indexOf('live'))).toEqual(['live', 'polling', 'live']);
      expect(await errorsShown(page)).toEqual([]);
      expect(problems(REFUSED_HANDSHAKE)).toEqual([]);
    });

    it('shows markup in task data as literal text', async () => {
      const server = await start();
      const { page, problems } = await openLive(chromium, server, site());
      await expectShownAsText(page, emitHostileTask(server));
      expect(problems()).toEqual([]);
    });
  });
}
