// examples/demo, the page `npm run demo` serves: its buttons, hostile data, and the README screenshot.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PartialTaskEvent } from '../../server/index';
import { useChromium } from './helpers/chromium';
import { REFUSED_HANDSHAKE, openLive, type Site } from './helpers/example-suite';
import { emitHostileTask, expectShownAsText } from './helpers/hostile';
import { DIST, REPO, RESULTS, example } from './helpers/paths';
import { useServers } from './helpers/servers';
import { errorsShown, waitForState } from './helpers/task-page';

const site: Site = { staticDir: example('demo'), distDir: DIST, path: '/' };

describe('demo page', () => {
  const serve = useServers();
  const chromium = useChromium();

  it('submits tasks, drops connections and refuses upgrades from its buttons', async () => {
    const server = await serve(site);
    const { page, problems } = await openLive(chromium, server, site);

    await page.click('#submit-task');
    await page.waitForSelector('#tasks tr[data-status="success"]', { timeout: 6000 });
    expect(server.results()).toHaveLength(1);

    await page.click('#refuse');
    await page.waitForSelector('#refuse[aria-pressed="true"]');
    await page.click('#drop');
    await waitForState(page, 'polling');
    // A refused upgrade is no `error` event until the retries run out: the panel shows its close and wait.
    await page.waitForSelector('#errors li');
    await page.click('#refuse');
    await page.waitForSelector('#refuse[aria-pressed="false"]');
    await waitForState(page, 'live');

    const errors = await errorsShown(page);
    expect(errors.length).toBeGreaterThan(0);
    for (const line of errors) expect(line).toMatch(/  socket did not open: close code=\d+ reason=".*" wasClean=(true|false) retryIn=\d+$/);
    expect(problems(REFUSED_HANDSHAKE)).toEqual([]);
  });

  it('shows its debug log live: the connect, and after "Drop connections" the close with its wait, the fallback and the return', async () => {
    const server = await serve(site);
    const { page, problems } = await openLive(chromium, server, site);
    await page.click('#drop');
    // The panel is newest first: read it back in the order things happened, once the return is in it.
    const handle = await page.waitForFunction(
      () => {
        const lines = Array.from(document.querySelectorAll<HTMLElement>('#debug li')).reverse().map((li) => ({ event: li.dataset.event, text: li.textContent ?? '' }));
        const close = lines.findIndex((line) => line.event === 'close');
        const back = lines.findIndex((line, i) => i > close && line.text.endsWith('state from="polling" to="live"'));
        return close >= 0 && back > close && lines;
      },
      undefined,
      { timeout: 10_000 },
    );
    const lines = (await handle.jsonValue()) as { event: string; text: string }[];
    const texts = lines.map((line) => line.text);
    const close = lines.findIndex((line) => line.event === 'close');
    const port = new URL(server.origin).port;

    expect(texts[lines.findIndex((line) => line.event === 'connect')]).toMatch(new RegExp(`  connect url="ws://127\\.0\\.0\\.1:${port}/flowrra/ws" attempt=1$`));
    expect(texts[close]).toMatch(/  close code=\d+ reason=".*" wasClean=(true|false) retryIn=\d+$/);
    const after = texts.slice(close + 1);
    expect(after.find((text) => text.includes('  state '))).toMatch(/state from="live" to="polling"$/);
    expect(after.some((text) => / poll-answer status=(200|304) items=\d+ changes=\d+$/.test(text))).toBe(true);
    expect(after.some((text) => / connect url=".*" attempt=2$/.test(text))).toBe(true);
    expect(after.some((text) => / open$/.test(text))).toBe(true);
    expect(await errorsShown(page)).toEqual([]);
    expect(problems()).toEqual([]);
  });

  it("shows the server panel: its socket, the events per second the server emits, no subscriber error", async () => {
    const server = await serve(site);
    const { page, problems } = await openLive(chromium, server, site);
    await page.waitForFunction(() => document.querySelector('#server [data-stat="sockets"]')?.textContent === '1', undefined, { timeout: 10_000 });
    // Events between two readings make a rate above zero.
    const emitting = setInterval(() => server.emit({ type: 'task.update', task: { task_id: 'ticker', task_name: 'tick', status: 'running' } }), 50);
    try {
      await page.waitForFunction(() => Number(document.querySelector('#server [data-stat="rate"]')?.textContent) > 0, undefined, { timeout: 10_000 });
    } finally {
      clearInterval(emitting);
    }
    expect(await page.locator('#server [data-stat="errors"]').textContent()).toBe('0');
    expect(await page.locator('#server').getAttribute('data-state')).toBe('ok');
    expect(problems()).toEqual([]);
  });

  it('shows markup in task data as literal text', async () => {
    const server = await serve(site);
    const { page, problems } = await openLive(chromium, server, site);
    await expectShownAsText(page, emitHostileTask(server));
    expect(problems()).toEqual([]);
  });

  it('looks like the README screenshot: tasks in every state, from polls and from the socket', async () => {
    const server = await serve(site);
    for (const event of HISTORY) server.emit(event);
    // A fixed zone and locale, so the times on screen are the ones written below.
    const { page, problems } = await chromium.newPage({ viewport: { width: 1000, height: 400 }, timezoneId: 'UTC', locale: 'en-US' });
    await page.goto(`${server.origin}/`);
    await waitForState(page, 'live');
    await page.waitForSelector(`#tasks tr[data-task-id="${HISTORY[0].task.task_id}"]`);
    for (const event of LIVE) server.emit(event);
    await page.waitForFunction((count) => document.querySelectorAll('#tasks tbody tr').length === count, HISTORY.length + LIVE.length);

    // In the order of the Started column, latest first, the task not started yet on top.
    const ids = await page.locator('#tasks tbody tr').evaluateAll((rows) => rows.map((row) => (row as HTMLElement).dataset.taskId));
    const started = (event: PartialTaskEvent) => event.task.started_at ?? '~'; // '~' sorts after every digit
    const byStart = [...HISTORY, ...LIVE].sort((a, b) => (started(a) < started(b) ? 1 : -1));
    expect(ids).toEqual(byStart.map((event) => event.task.task_id));
    const statuses = await page.locator('#tasks tbody tr').evaluateAll((rows) => rows.map((row) => (row as HTMLElement).dataset.status));
    expect(new Set(statuses)).toEqual(new Set(['pending', 'running', 'retrying', 'success', 'failed']));
    const sources = await page.locator('#tasks td[data-field="source"]').allTextContents();
    expect(new Set(sources)).toEqual(new Set(['poll', 'ws']));
    expect(problems()).toEqual([]);

    // The committed image changes only on request; every run still renders it for a look.
    const file = process.env.UPDATE_SCREENSHOT === '1' ? join(REPO, 'docs', 'demo.png') : join(RESULTS, 'demo.png');
    mkdirSync(join(file, '..'), { recursive: true });
    await page.screenshot({ path: file, fullPage: true });
    const png = readFileSync(file);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(1000);
  });
});

const task = (id: string, name: string, status: string, at: string, more: Partial<PartialTaskEvent['task']> = {}): PartialTaskEvent => ({
  type: 'task.update',
  task: { task_id: id, task_name: name, status: status as PartialTaskEvent['task']['status'], submitted_at: `2026-11-25T${at}`, ...more },
});

// Finished before the page opened: the first poll brings them.
const HISTORY = [
  task('3f2a9c1e-5b7d-4e8a-9c21-0d6b8e4f7a13', 'generate_report', 'success', '10:14:01.905112', {
    started_at: '2026-11-25T10:14:02.120445',
    finished_at: '2026-11-25T10:14:04.482031',
  }),
  task('8c41d0b7-2e96-4f35-a7c8-61e9b2d4f058', 'charge_card', 'failed', '10:14:03.310876', {
    started_at: '2026-11-25T10:14:05.140227',
    finished_at: '2026-11-25T10:14:06.020918',
    retries: 2,
    error: 'charge_card failed: upstream timeout',
  }),
  task('b7e5f3a2-91c4-4d6e-8b07-3a2c5f1d9e64', 'send_email', 'success', '10:14:04.771530', {
    started_at: '2026-11-25T10:14:04.802117',
    finished_at: '2026-11-25T10:14:05.443906',
  }),
];

// Sent over the socket once the page is live.
const LIVE = [
  task('0d9e4b6a-7c13-4f2b-9e85-c4a1f6d3b720', 'sync_inventory', 'retrying', '10:14:06.502381', {
    started_at: '2026-11-25T10:14:06.530092',
    retries: 1,
  }),
  task('e2c87f15-4a3d-4b90-b6e1-9f0d2a5c8b47', 'resize_image', 'running', '10:14:07.118604', {
    started_at: '2026-11-25T10:14:07.140833',
  }),
  task('5a6b1c9d-3e2f-4087-a1b4-7d8e0c2f6a95', 'index_document', 'pending', '10:14:07.906215'),
];
