// @vitest-environment jsdom
import { createApp, createSSRApp, defineComponent, effectScope, h, nextTick, ref, shallowRef, watch, type Component } from 'vue';
import { renderToString } from 'vue/server-renderer';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TaskClientError, type Task, type TaskClient } from '../../src/index';
import { tasksNewestFirst } from '../../src/view';
import { useConnectionState, useTask, useTasks } from '../../src/vue/index';
import { newestFirstCase } from '../helpers/adapter-cases';
import { createFakeClient, makeTask } from '../helpers/fake-client';

const unmounts: (() => void)[] = [];
afterEach(() => unmounts.splice(0).forEach((unmount) => unmount()));

/** Mounts `component` in a fresh element; returns the element and the app's unmount. */
function mount(component: Component): { root: HTMLElement; unmount: () => void } {
  const root = document.createElement('div');
  const app = createApp(component);
  app.mount(root);
  const unmount = () => app.unmount();
  unmounts.push(unmount);
  return { root, unmount };
}

const TaskList = (client: TaskClient) =>
  defineComponent(() => {
    const tasks = useTasks(client);
    return () => h('ul', tasks.value.map((t) => h('li', { key: t.task_id }, `${t.task_name}:${t.status}`)));
  });

const rows = (root: HTMLElement) => Array.from(root.querySelectorAll('li'), (li) => li.textContent);

/** Runs `fn` in a detached effect scope, as a Pinia store or a test would. */
function inScope<T>(fn: () => T): { value: T; stop: () => void } {
  const scope = effectScope(true);
  return { value: scope.run(fn)!, stop: () => scope.stop() };
}

describe('useTasks', () => {
  it('re-renders with each applied change', async () => {
    const fake = createFakeClient();
    const { root } = mount(TaskList(fake));
    expect(rows(root)).toEqual([]);

    const task = makeTask(1, { task_name: 'send_email' });
    fake.put(task);
    await nextTick();
    expect(rows(root)).toEqual(['send_email:pending']);

    fake.put({ ...task, status: 'running' });
    await nextTick();
    expect(rows(root)).toEqual(['send_email:running']);

    fake.remove(task.task_id);
    await nextTick();
    expect(rows(root)).toEqual([]);
  });

  it('orders by the latest timestamp, then by most recently first seen, like the React hooks', async () => {
    const order = newestFirstCase();
    const fake = createFakeClient(order.tasks);
    const { root } = mount(TaskList(fake));
    // Mounted: the first render held the fixed snapshot, the live list follows before the next tick ends.
    await nextTick();
    expect(rows(root)).toEqual(order.rows);

    fake.put(order.started);
    await nextTick();
    expect(rows(root)[0]).toBe(order.startedRow);
  });

  it('hands out one frozen array per version, read-only, shared with tasksNewestFirst', () => {
    const fake = createFakeClient([makeTask(1)]);
    const { value: tasks, stop } = inScope(() => useTasks(fake));
    const first = tasks.value;
    expect(Object.isFrozen(first)).toBe(true);
    expect(tasks.value).toBe(first);

    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    (tasks as { value: readonly Task[] }).value = [];
    expect(tasks.value).toBe(first);
    expect(warn).toHaveBeenCalled();
    warn.mockRestore();

    fake.put(makeTask(2));
    expect(tasks.value).not.toBe(first);
    expect(tasks.value).toHaveLength(2);
    expect(tasks.value).toBe(tasksNewestFirst(fake));
    stop();
  });

  it('renders once for a burst of changes applied together, and a watcher fires once', async () => {
    const fake = createFakeClient();
    let renders = 0;
    const changes = vi.fn();
    const { root } = mount(
      defineComponent(() => {
        const tasks = useTasks(fake);
        watch(tasks, changes);
        return () => {
          renders += 1;
          return h('span', String(tasks.value.length));
        };
      }),
    );
    await nextTick();
    const before = renders;
    changes.mockClear();
    for (let i = 0; i < 50; i++) fake.put(makeTask(i % 60));
    await nextTick();
    expect(root.textContent).toBe('50');
    expect(renders).toBe(before + 1);
    expect(changes).toHaveBeenCalledTimes(1);
  });
});

describe('useTask', () => {
  it('re-renders only when its own task changes', async () => {
    const watched = makeTask(1, { task_name: 'watched' });
    const other = makeTask(2);
    const fake = createFakeClient([watched, other]);
    let renders = 0;
    const { root } = mount(
      defineComponent(() => {
        const task = useTask(fake, watched.task_id);
        return () => {
          renders += 1;
          return h('p', task.value?.status ?? 'unknown');
        };
      }),
    );
    await nextTick();
    expect(root.textContent).toBe('pending');
    const before = renders;

    fake.put({ ...other, status: 'running' });
    fake.put(makeTask(3));
    await nextTick();
    expect(renders).toBe(before);

    fake.put({ ...watched, status: 'success' });
    await nextTick();
    expect(renders).toBe(before + 1);
    expect(root.textContent).toBe('success');
  });

  it('follows an id given as a ref or a getter, and is undefined for an unknown, removed or absent id', () => {
    const task = makeTask(1);
    const fake = createFakeClient([task]);
    const id = ref<string | null>('nope');
    const props = shallowRef({ id: task.task_id as string | undefined });
    const { value, stop } = inScope(() => ({ byRef: useTask(fake, id), byGetter: useTask(fake, () => props.value.id), plain: useTask(fake, task.task_id) }));

    expect(value.byRef.value).toBeUndefined();
    expect(value.byGetter.value).toBe(task);
    expect(value.plain.value).toBe(task);

    id.value = task.task_id;
    expect(value.byRef.value).toBe(task);
    props.value = { id: undefined };
    expect(value.byGetter.value).toBeUndefined();

    fake.remove(task.task_id);
    expect(value.byRef.value).toBeUndefined();
    expect(value.plain.value).toBeUndefined();
    id.value = null;
    expect(value.byRef.value).toBeUndefined();
    stop();
  });
});

describe('useConnectionState', () => {
  it('follows state events', async () => {
    const fake = createFakeClient([], 'connecting');
    const { root } = mount(defineComponent(() => {
      const state = useConnectionState(fake);
      return () => h('p', state.value);
    }));
    fake.setState('live');
    await nextTick();
    expect(root.textContent).toBe('live');
    fake.setState('polling');
    await nextTick();
    expect(root.textContent).toBe('polling');
  });
});

describe('subscriptions', () => {
  const All = (client: TaskClient) =>
    defineComponent(() => {
      const tasks = useTasks(client);
      const first = useTask(client, () => tasks.value[0]?.task_id);
      const state = useConnectionState(client);
      return () => h('p', `${state.value} ${tasks.value.length} ${first.value?.status}`);
    });

  it('one listener per composable while mounted, none after unmount', async () => {
    const fake = createFakeClient([makeTask(1)]);
    const { root, unmount } = mount(All(fake));
    await nextTick();
    expect(root.textContent).toBe('live 1 pending');
    expect(fake.listeners()).toEqual({ tasks: 2, state: 1 });
    unmount();
    expect(fake.listeners()).toEqual({ tasks: 0, state: 0 });
  });

  it('never listens for a scope inside setup() that was stopped before mount', async () => {
    const fake = createFakeClient([makeTask(1)]);
    mount(
      defineComponent(() => {
        const inner = effectScope();
        inner.run(() => useTasks(fake));
        inner.stop();
        return () => h('p');
      }),
    );
    await nextTick();
    expect(fake.listeners()).toEqual({ tasks: 0, state: 0 });
  });

  it('in an effect scope: listens at once, stops with the scope', () => {
    const fake = createFakeClient([makeTask(1)]);
    const { value, stop } = inScope(() => [useTasks(fake), useConnectionState(fake)] as const);
    expect(fake.listeners()).toEqual({ tasks: 1, state: 1 });
    expect(value[0].value).toHaveLength(1);
    expect(value[1].value).toBe('live');
    stop();
    expect(fake.listeners()).toEqual({ tasks: 0, state: 0 });
  });

  it('refuses to run outside any scope, where nothing could ever unsubscribe', () => {
    const fake = createFakeClient();
    for (const call of [() => useTasks(fake), () => useTask(fake, 'x'), () => useConnectionState(fake)]) {
      expect(call).toThrow(TaskClientError);
      expect(call).toThrow(/setup\(\) or inside an effectScope/);
    }
    expect(fake.listeners()).toEqual({ tasks: 0, state: 0 });
  });
});

describe('hydration', () => {
  it('matches the server markup, then shows the live data', async () => {
    const Summary = (client: TaskClient) =>
      defineComponent(() => {
        const tasks = useTasks(client);
        const known = useTask(client, 'known');
        const state = useConnectionState(client);
        return () => h('p', `${state.value} ${tasks.value.length} ${known.value?.status}`);
      });
    const server = createFakeClient([], 'idle');
    const html = await renderToString(createSSRApp(Summary(server)));
    expect(html).toBe('<p>connecting 0 undefined</p>');

    // The browser's client already has data when Vue hydrates: the markup must still match.
    const browser = createFakeClient([makeTask(1, { task_id: 'known', status: 'running' })], 'live');
    const root = document.createElement('div');
    root.innerHTML = html;
    const app = createSSRApp(Summary(browser));
    const warnings: string[] = [];
    app.config.warnHandler = (message) => void warnings.push(message);
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    app.mount(root);
    expect(warnings.filter((w) => /hydration/i.test(w))).toEqual([]);
    expect(errors).not.toHaveBeenCalled();
    errors.mockRestore();
    await nextTick();
    expect(root.textContent).toBe('live 1 running');
    app.unmount();
  });
});
