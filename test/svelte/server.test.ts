// @vitest-environment node
// Server rendering runs where there is no window or document; jsdom would hide mistakes here.
import type { Component } from 'svelte';
import { render } from 'svelte/server';
import { describe, it } from 'vitest';
import type { TaskClient } from '../../src/index';
import { connectionStateStore, taskStore, tasksStore } from '../../src/svelte/index';
import { expectLazyClientLeftIdle, expectServerSnapshotUntouched, useFlowrraMock } from '../helpers/adapter-cases';
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
    const Summary = (await compileSvelte('Summary', SUMMARY, 'server')) as Component<{ client: TaskClient }>;
    // Without Svelte's hydration markers (<!--[-->, <!---->): the text is what is compared.
    const html = (client: TaskClient) => render(Summary, { props: { client } }).body.replace(/<!--[^>]*-->/g, '');
    await expectServerSnapshotUntouched(html, '<p>connecting|0|-</p>');
  });

  describe('with a real client', () => {
    const flowrra = useFlowrraMock('http://ssr.test/flowrra');

    it('leaves a lazy client idle: no socket, no poll, from any store subscribed and left', async () => {
      await expectLazyClientLeftIdle(flowrra, (client) => {
        for (const store of [tasksStore(client), taskStore(client, 'known'), connectionStateStore(client)]) {
          (store as { subscribe: (run: () => void) => () => void }).subscribe(() => {})();
        }
      });
    });
  });
});
