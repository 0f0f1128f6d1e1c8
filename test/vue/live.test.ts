// @vitest-environment jsdom
// The composables on the real client, fed by the msw kit: socket, merge and Vue together.
import { createApp, defineComponent, h, nextTick, type App } from 'vue';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTaskClient, type TaskClient } from '../../src/index';
import { useConnectionState, useTaskClient, useTasks } from '../../src/vue/index';
import { waitForState } from '../../testing/index';
import { useFlowrraMock } from '../helpers/adapter-cases';

const flowrra = useFlowrraMock('http://live.test/flowrra');
let app: App | undefined;
afterEach(() => {
  app?.unmount();
  app = undefined;
});

const Board = defineComponent({
  props: { client: { type: Object as () => TaskClient, required: true } },
  setup(props) {
    const state = useConnectionState(props.client);
    const tasks = useTasks(props.client);
    return () => h('section', [h('h1', state.value), h('ul', tasks.value.map((t) => h('li', { key: t.task_id }, `${t.task_name}:${t.status}`)))]);
  },
});

function mount(component: Parameters<typeof createApp>[0]): HTMLElement {
  const root = document.createElement('div');
  app = createApp(component);
  app.mount(root);
  return root;
}

const rows = (root: HTMLElement) => Array.from(root.querySelectorAll('li'), (li) => li.textContent);
const heading = (root: HTMLElement) => root.querySelector('h1')?.textContent;

describe('composables on a real client', () => {
  it('show tasks as the server sends them', async () => {
    const client = createTaskClient({ url: flowrra.url });
    const root = mount(h(Board, { client }));
    await vi.waitFor(() => expect(heading(root)).toBe('live'));

    const first = flowrra.submit({ task_name: 'resize_image' });
    await vi.waitFor(() => expect(rows(root)).toEqual(['resize_image:pending']));
    flowrra.submit({ task_name: 'send_email' });
    flowrra.update(first.task_id, { status: 'running' });
    // `resize_image` started after `send_email` was submitted, so it is the newest.
    await vi.waitFor(() => expect(rows(root)).toEqual(['resize_image:running', 'send_email:pending']));
    client.close();
    await nextTick();
    expect(heading(root)).toBe('closed');
  });
});

describe('useTaskClient', () => {
  it('connects when mounted, with one socket, and closes when unmounted', async () => {
    const seen: TaskClient[] = [];
    const root = mount(
      defineComponent(() => {
        const client = useTaskClient({ url: flowrra.url });
        seen.push(client);
        return () => h(Board, { client });
      }),
    );
    const [client] = seen;
    await waitForState(client, 'live');
    flowrra.submit({ task_name: 'charge_card' });
    await vi.waitFor(() => expect(rows(root)).toEqual(['charge_card:pending']));
    expect(flowrra.upgrades()).toBe(1);

    app!.unmount();
    app = undefined;
    expect(client.state).toBe('closed');
    await vi.waitFor(() => expect(flowrra.connections()).toBe(0));
  });

  it('leaves a client no composable subscribes to idle, and closes it with its scope', () => {
    const seen: TaskClient[] = [];
    mount(
      defineComponent(() => {
        seen.push(useTaskClient({ url: flowrra.url, lazy: false }));
        return () => h('p');
      }),
    );
    expect(seen[0].state).toBe('idle');
    expect(flowrra.upgrades()).toBe(0);
    app!.unmount();
    app = undefined;
    expect(seen[0].state).toBe('closed');
  });
});
