/**
 * What every page under test shows, the demo and the examples alike: `#state` holds the client's
 * state as text, each task is a `#tasks tr[data-task-id][data-status]` whose cells carry
 * `data-field` (at least `task_name` and `error`), and `#errors` lists the client's errors.
 */
import type { Page } from 'playwright-core';

const row = (taskId: string) => `#tasks tr[data-task-id="${taskId}"]`;

export async function waitForState(page: Page, state: string, timeout = 5000): Promise<void> {
  await page.waitForFunction((want) => document.getElementById('state')?.textContent === want, state, { timeout });
}

export async function waitForStatus(page: Page, taskId: string, status: string, timeout = 5000): Promise<void> {
  await page.waitForSelector(`${row(taskId)}[data-status="${status}"]`, { timeout });
}

export async function cellText(page: Page, taskId: string, field: string): Promise<string | null> {
  return page.locator(`${row(taskId)} td[data-field="${field}"]`).textContent();
}

export async function errorsShown(page: Page): Promise<string[]> {
  return page.locator('#errors li').allTextContents();
}

export interface Seen {
  /** `#state` texts in the order they appeared. */
  states: string[];
  /** Per task, the `data-status` values its row showed, in order. */
  statuses: Record<string, string[]>;
}

/**
 * Records, from the first parsed byte of every document the page loads, each state the badge shows
 * and each status a task row shows, so a test can check the sequence after the fact instead of
 * racing to catch a short-lived one.
 */
export async function recordPage(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const seen: Seen = { states: [], statuses: {} };
    (window as unknown as { __seen: Seen }).__seen = seen;
    const push = (list: string[], value: string) => list[list.length - 1] !== value && list.push(value);
    const noteRow = (element: Element) => {
      const id = element.getAttribute('data-task-id');
      const status = element.getAttribute('data-status');
      if (id && status) push((seen.statuses[id] ??= []), status);
    };
    new MutationObserver((records) => {
      for (const record of records) {
        if (record.type === 'attributes') noteRow(record.target as Element);
        for (const node of Array.from(record.addedNodes)) {
          if (!(node instanceof Element)) continue;
          noteRow(node);
          node.querySelectorAll('[data-task-id]').forEach(noteRow);
        }
      }
      const state = document.getElementById('state')?.textContent;
      if (state) push(seen.states, state);
    }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['data-status'] });
  });
}

export async function seen(page: Page): Promise<Seen> {
  return page.evaluate(() => (window as unknown as { __seen: Seen }).__seen);
}

/**
 * Minimizing the window, backgrounding the tab (CDP Target.createTarget) and bringToFront all leave
 * a headless page 'visible'. So the page is told it is hidden the way the SDK reads it:
 * `document.visibilityState`, then a real `visibilitychange` event.
 */
export async function setHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((hidden) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}
