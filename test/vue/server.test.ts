// @vitest-environment node
// Server rendering runs where there is no window or document; jsdom would hide mistakes here.
import { createSSRApp, defineComponent, effectScope, h } from 'vue';
import { renderToString } from 'vue/server-renderer';
import { describe, expect, it } from 'vitest';
import type { TaskClient } from '../../src/index';
import { useConnectionState, useTask, useTaskClient, useTasks } from '../../src/vue/index';
import { expectLazyClientLeftIdle, expectServerSnapshotUntouched, useFlowrraMock } from '../helpers/adapter-cases';

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
    await expectServerSnapshotUntouched(render, '<p>connecting|0|-</p>');
  });

  it('outside a component (a Pinia setup store, say) holds the snapshot and never subscribes', async () => {
    await expectServerSnapshotUntouched((client) => {
      const scope = effectScope(true);
      const text = scope.run(() => {
        const [state, tasks, one] = [useConnectionState(client), useTasks(client), useTask(client, 'known')];
        return `<p>${state.value}|${tasks.value.length}|${one.value?.status ?? '-'}</p>`;
      })!;
      scope.stop();
      return text;
    }, '<p>connecting|0|-</p>');
  });

  describe('with a real client', () => {
    const flowrra = useFlowrraMock('http://ssr.test/flowrra');

    it('leaves a lazy client idle: no socket, no poll', async () => {
      await expectLazyClientLeftIdle(flowrra, render);
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
