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
});
