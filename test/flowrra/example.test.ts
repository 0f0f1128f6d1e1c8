// examples/flowrra-fastapi: a real Flowrra app serving a page that loads the SDK by script tag.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { useChromium } from '../browser/helpers/chromium';
import { example } from '../browser/helpers/paths';
import { errorsShown, waitForState } from '../browser/helpers/task-page';
import { FRAMEWORKS } from './helpers/flowrra';
import { startServer, type ServerProcess } from './helpers/process';
import { describeRealFlowrra } from './helpers/real';

describeRealFlowrra('examples/flowrra-fastapi', (real) => {
  let app: ServerProcess;
  beforeAll(async () => {
    app = await startServer({
      args: (port) => FRAMEWORKS.fastapi.args(port, 'app:app'),
      cwd: example('flowrra-fastapi'),
      env: { PYTHONPATH: real.pythonPath.join(':') },
      ready: '/',
      grace: 1000,
    });
  }, 30_000);
  afterAll(() => app?.stop());
  const chromium = useChromium();

  it('serves its page and the SDK bundle', async () => {
    const page = await fetch(`${app.origin}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script src="/flowrra-client.min.js"></script>');
    const script = await fetch(`${app.origin}/flowrra-client.min.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await script.text()).toContain('FlowrraClient');
  });

  it('goes live in Chromium and shows a task submitted with its button, to the end', async () => {
    const { page, problems } = await chromium.newPage();
    await page.goto(`${app.origin}/`);
    await waitForState(page, 'live');
    await page.click('button[data-submit="send_email"]');
    const row = page.locator('#tasks tr[data-status="success"]', { has: page.locator('td[data-field="task_name"]', { hasText: 'send_email' }) });
    await row.waitFor({ timeout: 10_000 });
    expect(await row.locator('td[data-field="result"]').textContent()).toBe('sent to ada@example.com');
    expect(await errorsShown(page)).toEqual([]);
    expect(problems()).toEqual([]);
  });

  it("shows the server panel from flowrra_live's stats: its own socket, the task's events, no subscriber error", async () => {
    const { page, problems } = await chromium.newPage();
    await page.goto(`${app.origin}/`);
    await waitForState(page, 'live');
    await page.click('button[data-submit="send_email"]');
    await page.locator('#tasks tr[data-status="success"]').first().waitFor({ timeout: 10_000 });
    const stat = (name: string) => page.locator(`#server [data-stat="${name}"]`);
    // The panel reads every 2 s: its count reaches this page's socket, the events reach a rate.
    await page.waitForFunction(() => document.querySelector('#server [data-stat="sockets"]')?.textContent === '1', undefined, { timeout: 10_000 });
    await page.waitForFunction(() => /^\d+\.\d$/.test(document.querySelector('#server [data-stat="rate"]')?.textContent ?? ''), undefined, { timeout: 10_000 });
    expect(await stat('errors').textContent()).toBe('0');
    expect(problems()).toEqual([]);
  });

  it("each signed-in user's page shows only their own tasks, live; the operator's page shows all", async () => {
    // Two browser contexts: two users with their own cookies, and the operator's page beside them.
    const ann = await chromium.newPage();
    const bob = await chromium.newPage();
    const operator = await chromium.newPage();
    const frames: Record<string, string[]> = { ann: [], bob: [] };
    for (const [name, { page }] of [['ann', ann], ['bob', bob]] as const) {
      // Every frame the page's socket receives, to check none is the other user's.
      page.on('websocket', (socket) => socket.on('framereceived', ({ payload }) => frames[name].push(String(payload))));
      await page.goto(`${app.origin}/login/${name}`);
      expect(new URL(page.url()).pathname).toBe('/me');
      await waitForState(page, 'live');
    }
    await operator.page.goto(`${app.origin}/`);
    await waitForState(operator.page, 'live');

    const submitted = async (page: typeof ann.page, task: string) => {
      const answer = page.waitForResponse((response) => response.url().endsWith(`/me/submit/${task}`));
      await page.click(`button[data-submit="${task}"]`);
      return ((await (await answer).json()) as { task_id: string }).task_id;
    };
    const annIds = [await submitted(ann.page, 'send_email'), await submitted(ann.page, 'send_email')];
    const bobIds = [await submitted(bob.page, 'send_email')];

    for (const [page, own, result] of [[ann.page, annIds, 'sent to ann@example.com'], [bob.page, bobIds, 'sent to bob@example.com']] as const) {
      for (const id of own) await page.locator(`#tasks tr[data-task-id="${id}"][data-status="success"]`).waitFor({ timeout: 10_000 });
      expect(await page.locator('#tasks tr td[data-field="result"]').allTextContents()).toEqual(own.map(() => result));
      expect(await page.locator('#tasks tr').evaluateAll((rows) => rows.map((row) => (row as HTMLElement).dataset.taskId).filter(Boolean))).toEqual(expect.arrayContaining([...own]));
      expect(await page.locator('#tasks tbody tr').count()).toBe(own.length);
      expect(await errorsShown(page)).toEqual([]);
    }
    for (const [name, others] of [['ann', bobIds], ['bob', annIds]] as const) {
      expect(frames[name].length).toBeGreaterThan(0);
      for (const frame of frames[name]) for (const id of others) expect(frame).not.toContain(id);
    }
    for (const id of [...annIds, ...bobIds]) await operator.page.locator(`#tasks tr[data-task-id="${id}"][data-status="success"]`).waitFor({ timeout: 10_000 });
    expect([ann, bob, operator].flatMap((one) => one.problems())).toEqual([]);
  });
});
