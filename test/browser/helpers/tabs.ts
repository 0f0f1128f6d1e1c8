/** Pages of test/browser/fixtures/tabs: one client each, what it reports recorded in `window.__seen`. */
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import type { ReferenceServer } from '../../../server/index';
import { DIST, REPO } from './paths';

export const TABS_SITE = { staticDir: join(REPO, 'test', 'browser', 'fixtures', 'tabs'), distDir: DIST };

export interface TabSeen {
  /** Per task, each delivery as `type status`, in order. */
  deliveries: Record<string, string[]>;
  /** Per task, each delivery as the JSON of its type and task. */
  changes: Record<string, string[]>;
  status: Record<string, string>;
  roles: string[];
  states: string[];
  errors: string[];
  /** Date.now() when this tab, leading, first had its own socket live; 0 if never. */
  leadLiveAt: number;
}

export interface Tab {
  page: Page;
  /** What this page itself sent: socket opens and poll requests. */
  traffic: { sockets: number; polls: number };
}

export async function openTab(context: BrowserContext, server: ReferenceServer, query: Record<string, string | number> = { share: 1 }): Promise<Tab> {
  return loadTab(await context.newPage(), server, query);
}

/** Opens the tabs page in `page`. */
export async function loadTab(page: Page, server: ReferenceServer, query: Record<string, string | number> = { share: 1 }): Promise<Tab> {
  const traffic = { sockets: 0, polls: 0 };
  page.on('websocket', () => traffic.sockets++);
  page.on('request', (request) => {
    if (request.url().includes('/api/results')) traffic.polls++;
  });
  const search = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
  await page.goto(`${server.origin}/?${search}`);
  return { page, traffic };
}

export const seenIn = (page: Page): Promise<TabSeen> => page.evaluate(() => (window as unknown as { __seen: TabSeen }).__seen);
export const roleOf = (page: Page): Promise<string> => page.evaluate(() => (window as unknown as { client: { role: string } }).client.role);

export async function waitForTab(page: Page, role: string, state: string, timeout = 10_000): Promise<void> {
  await page.waitForFunction(
    ([role, state]) => {
      const { client } = window as unknown as { client: { role: string; state: string } };
      return client.role === role && client.state === state;
    },
    [role, state],
    { timeout },
  );
}

/** Waits until the page shows each task as finished. */
export async function waitFinal(page: Page, ids: string[], timeout = 15_000): Promise<void> {
  await page.waitForFunction(
    (ids) => {
      const { status } = (window as unknown as { __seen: TabSeen }).__seen;
      return ids.every((id) => status[id] === 'success' || status[id] === 'failed');
    },
    ids,
    { timeout },
  );
}

/** The tabs' roles, in order. */
export const roles = (tabs: Tab[]): Promise<string[]> => Promise.all(tabs.map((tab) => roleOf(tab.page)));

/**
 * Every change a tab received twice: the same type and the very same task. (The same status may come
 * twice with more in it: Flowrra sends `submitted_at`, `args` and `kwargs` on the pending frame only, so
 * a tab that saw a task first in a later frame learns them from the next poll, as a client alone does.)
 */
export function repeated(seen: TabSeen): string[] {
  return Object.values(seen.changes).flatMap((list) => list.filter((x, i) => list.indexOf(x) !== i));
}

// Tasks here never fail, so never retry: each status comes after the one before it.
const ORDER = ['pending', 'retrying', 'running', 'success'];

/** Every task whose status went backwards in a tab. */
export function rolledBack(seen: TabSeen): string[] {
  return Object.entries(seen.deliveries).filter(([, list]) => {
    const steps = list.map((x) => ORDER.indexOf(x.split(' ')[1].replace('failed', 'success')));
    return steps.some((step, i) => i > 0 && step < steps[i - 1]);
  }).map(([id, list]) => `${id}: ${list.join(', ')}`);
}
