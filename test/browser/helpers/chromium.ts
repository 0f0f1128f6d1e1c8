import { mkdirSync } from 'node:fs';
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
