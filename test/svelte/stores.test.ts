// @vitest-environment jsdom
import { derived, get } from 'svelte/store';
import { describe, expect, it, vi } from 'vitest';
import type { ConnectionState, Task } from '../../src/index';
import { tasksNewestFirst } from '../../src/view';
import { connectionStateStore, taskStore, tasksStore } from '../../src/svelte/index';
import { newestFirstCase } from '../helpers/adapter-cases';
import { createFakeClient, makeTask } from '../helpers/fake-client';

/** Resolves after queued microtasks (the batched list's notification) have run. */
const microtasks = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe('the store contract', () => {
  it('calls run at once, synchronously, with the current value, and get() reads it', () => {
    const task = makeTask(1);
    const fake = createFakeClient([task], 'polling');
    for (const [store, want] of [
      [tasksStore(fake), [task]],
      [taskStore(fake, task.task_id), task],
      [connectionStateStore(fake), 'polling'],
    ] as const) {
      const run = vi.fn();
      const unsubscribe = (store as { subscribe: (run: (value: unknown) => void) => () => void }).subscribe(run);
      expect(run).toHaveBeenCalledTimes(1);
      expect(run.mock.calls[0][0]).toEqual(want);
      unsubscribe();
      expect(get(store as never)).toEqual(want);
    }
  });

  it('works as the source of a derived store', async () => {
    const fake = createFakeClient();
    const summary = derived([tasksStore(fake), connectionStateStore(fake)], ([tasks, state]) => `${state}:${tasks.length}`);
    const seen: string[] = [];
    const unsubscribe = summary.subscribe((value) => seen.push(value));
    fake.put(makeTask(1));
    await microtasks();
    fake.setState('polling');
    expect(seen).toEqual(['live:0', 'live:1', 'polling:1']);
    unsubscribe();
  });
});

describe('tasksStore', () => {
  it('notifies with each change, newest first, like the React hooks', async () => {
    const order = newestFirstCase();
    const fake = createFakeClient(order.tasks);
    const rows: string[][] = [];
    const unsubscribe = tasksStore(fake).subscribe((tasks) => rows.push(tasks.map((t) => `${t.task_name}:${t.status}`)));
    expect(rows).toEqual([order.rows]);

    fake.put(order.started);
    await microtasks();
    expect(rows.at(-1)![0]).toBe(order.startedRow);
    fake.remove(order.started.task_id);
    await microtasks();
    expect(rows.at(-1)).toEqual(order.rows.filter((row) => !row.startsWith('old:')));
    expect(rows).toHaveLength(3);
    unsubscribe();
  });

  it('tells once for a burst of changes applied together, with one frozen array shared by every store', async () => {
    const fake = createFakeClient();
    const a: (readonly Task[])[] = [];
    const b: (readonly Task[])[] = [];
    const stopA = tasksStore(fake).subscribe((tasks) => a.push(tasks));
    const stopB = tasksStore(fake).subscribe((tasks) => b.push(tasks));
    for (let i = 0; i < 50; i++) fake.put(makeTask(i % 60));
    await microtasks();
    expect(a).toHaveLength(2);
    expect(a[1]).toHaveLength(50);
    expect(Object.isFrozen(a[1])).toBe(true);
    expect(b[1]).toBe(a[1]);
    expect(tasksNewestFirst(fake)).toBe(a[1]);
    stopA();
    stopB();
  });

  it('gives a subscriber who joins during a burst the list as it is now', () => {
    const fake = createFakeClient();
    const store = tasksStore(fake);
    const first: (readonly Task[])[] = [];
    const stop = store.subscribe((tasks) => first.push(tasks));
    fake.put(makeTask(1));
    let late: readonly Task[] = [];
    const stopLate = store.subscribe((tasks) => (late = tasks));
    expect(late).toHaveLength(1);
    expect(first.at(-1)).toBe(late);
    stop();
    stopLate();
  });
});

describe('taskStore', () => {
  it('notifies only when its own task changes, and holds undefined for an unknown, removed or absent id', () => {
    const watched = makeTask(1, { task_name: 'watched' });
    const other = makeTask(2);
    const fake = createFakeClient([watched, other]);
    const seen: (string | undefined)[] = [];
    const unsubscribe = taskStore(fake, watched.task_id).subscribe((task) => seen.push(task?.status));
    fake.put({ ...other, status: 'running' });
    fake.put(makeTask(3));
    expect(seen).toEqual(['pending']);
    fake.put({ ...watched, status: 'success' });
    fake.remove(watched.task_id);
    expect(seen).toEqual(['pending', 'success', undefined]);
    unsubscribe();

    expect(get(taskStore(fake, 'nope'))).toBeUndefined();
    expect(get(taskStore(fake, null))).toBeUndefined();
    expect(get(taskStore(fake, other.task_id))?.status).toBe('running');
  });
});

describe('connectionStateStore', () => {
  it('follows state events', () => {
    const fake = createFakeClient([], 'connecting');
    const seen: ConnectionState[] = [];
    const unsubscribe = connectionStateStore(fake).subscribe((state) => seen.push(state));
    fake.setState('live');
    fake.setState('polling');
    expect(seen).toEqual(['connecting', 'live', 'polling']);
    unsubscribe();
  });
});

describe('listening', () => {
  it('one client listener per store while it has subscribers, none once the last leaves', async () => {
    const fake = createFakeClient([makeTask(1)]);
    const stores = [tasksStore(fake), taskStore(fake, 'x'), connectionStateStore(fake)] as const;
    const first = stores.map((store) => (store as { subscribe: (run: () => void) => () => void }).subscribe(() => {}));
    const second = stores.map((store) => (store as { subscribe: (run: () => void) => () => void }).subscribe(() => {}));
    expect(fake.listeners()).toEqual({ tasks: 2, state: 1 });
    first.forEach((unsubscribe) => unsubscribe());
    // Unsubscribing twice is harmless and does not drop the other subscriber.
    first.forEach((unsubscribe) => unsubscribe());
    expect(fake.listeners()).toEqual({ tasks: 2, state: 1 });
    second.forEach((unsubscribe) => unsubscribe());
    expect(fake.listeners()).toEqual({ tasks: 0, state: 0 });

    // A change while nobody listens is read afresh by the next subscriber.
    fake.put(makeTask(2));
    expect(get(stores[0])).toHaveLength(2);
    await microtasks();
    expect(fake.listeners()).toEqual({ tasks: 0, state: 0 });
  });

  it('a subscriber may unsubscribe another while being told, which is then not told', () => {
    const fake = createFakeClient([], 'connecting');
    const store = connectionStateStore(fake);
    const told: string[] = [];
    let stopB = () => {};
    const stopA = store.subscribe((state) => {
      told.push(`a:${state}`);
      if (state === 'live') stopB();
    });
    stopB = store.subscribe((state) => told.push(`b:${state}`));
    fake.setState('live');
    expect(told).toEqual(['a:connecting', 'b:connecting', 'a:live']);
    stopA();
    expect(fake.listeners().state).toBe(0);
  });
});
