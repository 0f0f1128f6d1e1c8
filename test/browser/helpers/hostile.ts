import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { ReferenceServer } from '../../../server/index';
import { cellText, waitForStatus } from './task-page';

// Both would run if a page put task data into the DOM as HTML.
export const HOSTILE_NAME = '<img src=x onerror="window.__pwned=1">';
export const HOSTILE_ERROR = '<script>window.__pwned=2</script><b>bold?</b>';

/** Sends a failed task whose name and error are markup; returns its id. */
export function emitHostileTask(server: ReferenceServer): string {
  const taskId = randomUUID();
  server.emit({ type: 'task.update', task: { task_id: taskId, status: 'failed', task_name: HOSTILE_NAME, error: HOSTILE_ERROR } });
  return taskId;
}

/** The markup is on screen as the literal text it is, and none of it became elements or ran. */
export async function expectShownAsText(page: Page, taskId: string): Promise<void> {
  await waitForStatus(page, taskId, 'failed');
  expect(await cellText(page, taskId, 'task_name')).toBe(HOSTILE_NAME);
  expect(await cellText(page, taskId, 'error')).toBe(HOSTILE_ERROR);
  expect(await page.locator('#tasks img, #tasks script, #tasks b').count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
}
