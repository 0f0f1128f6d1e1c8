// @vitest-environment jsdom
// useTaskRun on the real client, fed by the msw kit: the id as a ref, a getter or a value.
import { createApp, defineComponent, effectScope, h, ref, type App } from 'vue';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useTaskRun } from '../../src/vue/index';
import { useFlowrraMock } from '../helpers/adapter-cases';

const flowrra = useFlowrraMock('http://live.test/flowrra');
let app: App | undefined;
afterEach(() => {
  app?.unmount();
  app = undefined;
});

function mount(taskId: Parameters<typeof useTaskRun>[0]): HTMLElement {
  const root = document.createElement('div');
  app = createApp(
    defineComponent({
      setup() {
        const run = useTaskRun(taskId, { url: flowrra.url, token: 'read-token' });
        return () => h('p', `${run.value.task?.task_id ?? '-'}:${run.value.task?.status ?? '-'}:${run.value.state}`);
      },
    }),
  );
  app.mount(root);
  return root;
}

describe('useTaskRun', () => {
  it('follows the run of a ref, switches with it, and closes once final', async () => {
    const first = flowrra.submit({ task_name: 'a' });
    const second = flowrra.submit({ task_name: 'b' });
    const id = ref<string | null>(null);
    const root = mount(id);
    expect(root.textContent).toBe('-:-:idle');
    expect(flowrra.upgrades()).toBe(0);

    id.value = first.task_id;
    await vi.waitFor(() => expect(root.textContent).toBe(`${first.task_id}:pending:live`));
    id.value = second.task_id;
    await vi.waitFor(() => expect(root.textContent).toBe(`${second.task_id}:pending:live`));
    await vi.waitFor(() => expect(flowrra.connections()).toBe(1));
    flowrra.update(first.task_id, { status: 'success' });
    flowrra.update(second.task_id, { status: 'failed', error: 'boom' });
    await vi.waitFor(() => expect(root.textContent).toBe(`${second.task_id}:failed:closed`));
    await vi.waitFor(() => expect(flowrra.connections()).toBe(0));
    expect(flowrra.upgrades()).toBe(2);
  });

  it('takes a getter or a plain value, and closes on unmount', async () => {
    const task = flowrra.submit();
    const root = mount(() => task.task_id);
    await vi.waitFor(() => expect(root.textContent).toBe(`${task.task_id}:pending:live`));
    app!.unmount();
    app = undefined;
    await vi.waitFor(() => expect(flowrra.connections()).toBe(0));

    const again = mount(task.task_id);
    await vi.waitFor(() => expect(again.textContent).toBe(`${task.task_id}:pending:live`));
  });

  it('in a bare scope starts at once and stops with the scope', async () => {
    const task = flowrra.submit();
    const scope = effectScope();
    const run = scope.run(() => useTaskRun(task.task_id, { url: flowrra.url }))!;
    await vi.waitFor(() => expect(run.value.task?.task_id).toBe(task.task_id));
    scope.stop();
    await vi.waitFor(() => expect(flowrra.connections()).toBe(0));
  });

  it('must be called in a scope', () => {
    expect(() => useTaskRun('x', { url: flowrra.url })).toThrow(expect.objectContaining({ kind: 'config' }));
  });
});
