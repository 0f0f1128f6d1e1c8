// The README's "Dev server (Vite)" config, as pasted (the target's port aside): a page's client on the
// dev server's origin reaches the Flowrra app's socket and results endpoint through it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type ViteDevServer } from 'vite';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { startReferenceServer, type ReferenceServer } from '../server/index';
import { createTaskClient, type TaskClient } from '../src/index';
import { waitForState } from '../testing/index';

const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
const viteConfig = /### Dev server \(Vite\)[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)![1]!;

describe('a Vite dev server with the README\'s proxy', () => {
  let flowrra: ReferenceServer | undefined;
  let vite: ViteDevServer | undefined;
  let client: TaskClient | undefined;
  let dir: string | undefined;

  afterEach(async () => {
    client?.close();
    await vite?.close();
    await flowrra?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('passes the socket and the polls through to Flowrra', async () => {
    flowrra = await startReferenceServer({ port: 0 });
    expect(viteConfig).toContain("'http://127.0.0.1:8000'");
    // Inside the repository, so that the config's `import ... from 'vite'` resolves.
    dir = mkdtempSync(join(__dirname, '.tmp-vite-'));
    const configFile = join(dir, 'vite.config.mjs');
    writeFileSync(configFile, viteConfig.replace('http://127.0.0.1:8000', flowrra.origin));
    vite = await createServer({ configFile, root: dir, logLevel: 'silent', server: { host: '127.0.0.1', port: 0 } });
    await vite.listen();
    const address = vite.httpServer!.address() as { port: number };
    const devOrigin = `http://127.0.0.1:${address.port}`;

    client = createTaskClient({ url: `${devOrigin}/flowrra`, WebSocket });
    await waitForState(client, 'live');
    const task_id = flowrra.submit({ name: 'send_email', duration_ms: 10 });
    await vi.waitFor(() => expect(client!.tasks.get(task_id)?.status).toBe('success'), { timeout: 10_000 });
    expect((await fetch(`${devOrigin}/flowrra/api/results`)).status).toBe(200);
    expect(flowrra.polls()).toBeGreaterThan(0);
  });
});
