// @vitest-environment node
// Server rendering runs where there is no window or document; jsdom would hide mistakes here.
import { setupServer } from 'msw/node';
import type { Component } from 'svelte';
import { render } from 'svelte/server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTaskClient, type TaskClient } from '../../src/index';
import { connectionStateStore, taskStore, tasksStore } from '../../src/svelte/index';
import { createFlowrraMock } from '../../testing/index';
import { createFakeClient, makeTask } from '../helpers/fake-client';
import { SVELTE_ADAPTER, useSvelteCompiler } from './compile';

const compileSvelte = useSvelteCompiler();

const SUMMARY = `
<script>
  import { connectionStateStore, taskStore, tasksStore } from '${SVELTE_ADAPTER}';
  let { client } = $props();
  const tasks = tasksStore(client);
  const one = taskStore(client, 'known');
  const state = connectionStateStore(client);
</script>
<p>{$state}|{$tasks.length}|{$one?.status ?? '-'}</p>
`;

describe('server rendering', () => {
  it('renders the fixed snapshot and never touches the client', async () => {
    const fake = createFakeClient([makeTask(1, { task_id: 'known', status: 'running' })], 'live');
    const subscribe = vi.spyOn(fake, 'subscribe');
    const on = vi.spyOn(fake, 'on');
    const Summary = (await compileSvelte('Summary', SUMMARY, 'server')) as Component<{ client: TaskClient }>;
    const { body } = render(Summary, { props: { client: fake } });
    expect(body.replace(/<!--[^>]*-->/g, '')).toBe('<p>connecting|0|-</p>');
    expect(subscribe).not.toHaveBeenCalled();
    expect(on).not.toHaveBeenCalled();
  });

  describe('with a real client', () => {
    const flowrra = createFlowrraMock({ url: 'http://ssr.test/flowrra' });
    const server = setupServer(...flowrra.handlers);
    beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
    afterAll(() => server.close());

    it('leaves a lazy client idle: no socket, no poll', () => {
      const client = createTaskClient({ url: flowrra.url, lazy: true });
      for (const store of [tasksStore(client), taskStore(client, 'known'), connectionStateStore(client)]) {
        (store as { subscribe: (run: () => void) => () => void }).subscribe(() => {})();
      }
      expect(client.state).toBe('idle');
      expect(flowrra.upgrades()).toBe(0);
      expect(flowrra.polls()).toBe(0);
      client.close();
    });
  });
});
