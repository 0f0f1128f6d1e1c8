import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { RESULTS } from './paths';

// Debian's Chromium: no browser can be downloaded here (.ci/run installs it).
const EXECUTABLE = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface ChromiumOptions {
  args?: string[];
  /** Keep the back/forward cache, which Playwright turns off by default. */
  bfcache?: boolean;
}

export interface TestPage {
  page: Page;
  /** Console errors and uncaught exceptions so far, except those `expected` matches. */
  problems(expected?: RegExp): string[];
  /** The URL of every WebSocket the page opened, in order. */
  readonly sockets: string[];
}

/**
 * One Chromium for the calling test file. Pages live for one test: after a failed test each one
 * is saved as a screenshot under test-results/browser/ before its context closes.
 */
export function useChromium(options: ChromiumOptions = {}): { newPage(context?: BrowserContextOptions): Promise<TestPage> } {
  let browser: Browser | undefined;
  let open: { context: BrowserContext; page: Page }[] = [];

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: EXECUTABLE,
      args: [...ARGS, ...(options.args ?? [])],
      ignoreDefaultArgs: options.bfcache ? ['--disable-back-forward-cache'] : undefined,
    });
  });

  afterEach(async ({ task }) => {
    const closing = open;
    open = [];
    if (task.result?.state === 'fail') {
      mkdirSync(RESULTS, { recursive: true });
      const name = `${basename(task.file.name).replace(/\.test\.tsx?$/, '')}--${slug(task.name)}`;
      await Promise.all(
        closing.map(({ page }, i) =>
          page.screenshot({ path: join(RESULTS, `${name}${i ? `-${i}` : ''}.png`), fullPage: true }).catch(() => undefined),
        ),
      );
    }
    await Promise.all(closing.map(({ context }) => context.close()));
  });

  afterAll(async () => {
    await browser?.close();
  });

  return {
    async newPage(contextOptions) {
      if (!browser) throw new Error('useChromium: the browser is not running (call newPage inside a test)');
      const context = await browser.newContext(contextOptions);
      const page = await context.newPage();
      open.push({ context, page });
      const problems: string[] = [];
      const sockets: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console.error: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
      page.on('websocket', (ws) => sockets.push(ws.url()));
      return {
        page,
        sockets,
        problems: (expected) => problems.filter((text) => !expected?.test(text)),
      };
    },
  };
}

const slug = (text: string) => text.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').slice(0, 80);

/**
 * A Chromium whose pages can be frozen with `Page.setWebLifecycleState`, each page in a window of its
 * own so that every one is visible. Playwright turns on focus emulation for each page it opens, which
 * counts as capturing the page: Chromium then neither hides nor freezes it, and 'frozen' does nothing.
 * It leaves that off only for the default context of a browser it connects to with `noDefaults`, so
 * this Chromium is started here and connected to over CDP. Started at the first page, for the file.
 */
export function useFreezableChromium(): { newPage(): Promise<Page> } {
  let started: Promise<{ child: ChildProcess; profile: string; browser: Browser }> | undefined;
  let open: Page[] = [];

  async function start() {
    const profile = mkdtempSync(join(tmpdir(), 'flowrra-chromium-'));
    const child = spawn(EXECUTABLE, [...ARGS, `--user-data-dir=${profile}`, '--remote-debugging-port=0', 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const endpoint = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stderr!.on('data', (chunk) => {
        text += chunk;
        const found = /DevTools listening on (ws:\/\/\S+)/.exec(text);
        if (found) resolve(found[1]);
      });
      child.once('exit', (code) => reject(new Error(`Chromium exited (${code}) before listening: ${text}`)));
    });
    child.stderr!.resume();
    return { child, profile, browser: await chromium.connectOverCDP(endpoint, { noDefaults: true }) };
  }

  afterEach(async () => {
    const closing = open;
    open = [];
    await Promise.all(closing.map((page) => page.close()));
  });

  afterAll(async () => {
    if (!started) return;
    const { child, profile, browser } = await started;
    // Closed through CDP, as a disconnect would leave it running, and awaited: its profile is only
    // free to remove once the browser, its renderers included, is gone.
    const exited = child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : undefined;
    const session = await browser.newBrowserCDPSession();
    await session.send('Browser.close').catch(() => undefined);
    await exited;
    rmSync(profile, { recursive: true, force: true });
  });

  return {
    async newPage() {
      const { browser } = await (started ??= start());
      const context = browser.contexts()[0];
      const session = await browser.newBrowserCDPSession();
      const [page] = await Promise.all([context.waitForEvent('page'), session.send('Target.createTarget', { url: 'about:blank', newWindow: true })]);
      await session.detach();
      open.push(page);
      return page;
    },
  };
}
