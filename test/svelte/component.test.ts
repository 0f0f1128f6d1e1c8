// @vitest-environment jsdom
// The stores in a real Svelte 5 component (compiled here, mounted in jsdom) and on a real client
// fed by the msw kit.
import type { Component } from 'svelte';
import { describe, expect, it, vi } from 'vitest';
import { createTaskClient, type TaskClient } from '../../src/index';
import { waitForState } from '../../testing/index';
import { useFlowrraMock } from '../helpers/adapter-cases';
import { createFakeClient, makeTask } from '../helpers/fake-client';
import { SVELTE_ADAPTER, svelteBrowserRuntime, useSvelteCompiler } from './compile';

const flowrra = useFlowrraMock('http://live.test/flowrra');

const compileSvelte = useSvelteCompiler();

// `$store` in runes mode; the selected task through a store made per id with $derived.
const BOARD = `
<script>
  import { connectionStateStore, taskStore, tasksStore } from '${SVELTE_ADAPTER}';
  let { client, selected = null } = $props();
  const tasks = tasksStore(client);
  const state = connectionStateStore(client);
  const chosen = $derived(taskStore(client, selected));
</script>
<h1>{$state}</h1>
<ul>{#each $tasks as task (task.task_id)}<li>{task.task_name}:{task.status}</li>{/each}</ul>
<p>{$chosen?.error ?? '-'}</p>
`;

async function mountBoard(props: { client: TaskClient; selected?: string | null }) {
  const { mount, unmount, flushSync } = await svelteBrowserRuntime();
  const Board = (await compileSvelte('Board', BOARD, 'client')) as Component<{ client: TaskClient; selected?: string | null }>;
  const target = document.createElement('div');
  const component = mount(Board, { target, props });
  flushSync();
  return {
    target,
    flushSync,
    rows: () => Array.from(target.querySelectorAll('li'), (li) => li.textContent),
    text: (selector: string) => target.querySelector(selector)?.textContent,
    unmount: () => unmount(component),
  };
}

describe('in a Svelte 5 component', () => {
  it('renders the stores, shows markup in task data as text, and stops listening when destroyed', async () => {
    const hostile = makeTask(1, { task_id: 'h', task_name: '<img src=x onerror="window.__pwned=1">', error: '<b>bold?</b>' });
    const fake = createFakeClient([hostile], 'live');
    const board = await mountBoard({ client: fake, selected: 'h' });
    expect(board.text('h1')).toBe('live');
    expect(board.rows()).toEqual(['<img src=x onerror="window.__pwned=1">:pending']);
    expect(board.text('p')).toBe('<b>bold?</b>');
    expect(board.target.querySelectorAll('img, b')).toHaveLength(0);
    expect(fake.listeners()).toEqual({ tasks: 2, state: 1 });

    fake.put(makeTask(2, { task_name: 'send_email' }));
    fake.setState('polling');
    await vi.waitFor(() => {
      board.flushSync();
      expect(board.rows()).toEqual(['send_email:pending', '<img src=x onerror="window.__pwned=1">:pending']);
    });
    expect(board.text('h1')).toBe('polling');

    await board.unmount();
    expect(fake.listeners()).toEqual({ tasks: 0, state: 0 });
  });

  it('connects a lazy client on mount and shows the server’s tasks as they come', async () => {
    const client = createTaskClient({ url: flowrra.url, lazy: true });
    const board = await mountBoard({ client });
    await waitForState(client, 'live');
    const first = flowrra.submit({ task_name: 'resize_image' });
    flowrra.submit({ task_name: 'send_email' });
    flowrra.update(first.task_id, { status: 'running' });
    await vi.waitFor(() => {
      board.flushSync();
      expect(board.rows()).toEqual(['resize_image:running', 'send_email:pending']);
    });
    expect(board.text('h1')).toBe('live');
    expect(flowrra.upgrades()).toBe(1);
    await board.unmount();
    client.close();
  });
});

describe('connectionStateStore', () => {
  it('does not start a lazy client; the first tasksStore subscriber does', async () => {
    const { connectionStateStore, tasksStore } = await import('../../src/svelte/index');
    const client = createTaskClient({ url: flowrra.url, lazy: true });
    const stopState = connectionStateStore(client).subscribe(() => {});
    expect(client.state).toBe('idle');
    expect(flowrra.upgrades()).toBe(0);
    const stopTasks = tasksStore(client).subscribe(() => {});
    await waitForState(client, 'live');
    expect(flowrra.upgrades()).toBe(1);
    stopTasks();
    stopState();
    client.close();
  });
});
