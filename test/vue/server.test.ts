// @vitest-environment node
// Server rendering runs where there is no window or document; jsdom would hide mistakes here.
import { setupServer } from 'msw/node';
import { createSSRApp, defineComponent, h } from 'vue';
import { renderToString } from 'vue/server-renderer';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTaskClient, type TaskClient } from '../../src/index';
import { useConnectionState, useTask, useTaskClient, useTasks } from '../../src/vue/index';
import { createFlowrraMock } from '../../testing/index';
import { createFakeClient, makeTask } from '../helpers/fake-client';

const Summary = defineComponent({
  props: { client: { type: Object as () => TaskClient, required: true } },
  setup(props) {
    const tasks = useTasks(props.client);
    const one = useTask(props.client, 'known');
    const state = useConnectionState(props.client);
    return () => h('p', `${state.value}|${tasks.value.length}|${one.value?.status ?? '-'}`);
  },
});

const render = (client: TaskClient) => renderToString(createSSRApp(Summary, { client }));

describe('server rendering', () => {
  it('renders the fixed snapshot and never subscribes', async () => {
    const fake = createFakeClient([makeTask(1, { task_id: 'known', status: 'running' })], 'live');
    const subscribe = vi.spyOn(fake, 'subscribe');
    const on = vi.spyOn(fake, 'on');
    expect(await render(fake)).toBe('<p>connecting|0|-</p>');
    expect(subscribe).not.toHaveBeenCalled();
    expect(on).not.toHaveBeenCalled();
  });

  describe('with a real client', () => {
    const flowrra = createFlowrraMock({ url: 'http://ssr.test/flowrra' });
    const server = setupServer(...flowrra.handlers);
    beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
    afterAll(() => server.close());

    it('leaves a lazy client idle: no socket, no poll', async () => {
      const client = createTaskClient({ url: flowrra.url, lazy: true });
      await render(client);
      expect(client.state).toBe('idle');
      expect(flowrra.upgrades()).toBe(0);
      expect(flowrra.polls()).toBe(0);
      client.close();
    });

    it('useTaskClient renders with an inert client, even for a relative url', async () => {
      const Owner = defineComponent(() => {
        const client = useTaskClient({ url: '/flowrra' });
        return () => h(Summary, { client });
      });
      expect(await renderToString(createSSRApp(Owner))).toBe('<p>connecting|0|-</p>');
      expect(flowrra.upgrades()).toBe(0);
    });
  });
});
