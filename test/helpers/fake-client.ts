import type { ConnectionState, Task, TaskClient, TaskEvent } from '../../src/index';

/**
 * A TaskClient without a socket, driven by hand, so the framework adapters' tests check the
 * framework side alone and can count listeners. It follows the client's contract: tasks are
 * replaced, never mutated, and `version` grows by one per applied change.
 */
export interface FakeClient extends TaskClient {
  put(task: Task): void;
  remove(taskId: string): void;
  setState(state: ConnectionState): void;
  /** Open `subscribe` callbacks plus `on('state')` listeners. */
  listeners(): { tasks: number; state: number };
}

export function createFakeClient(initial: Task[] = [], initialState: ConnectionState = 'live'): FakeClient {
  const tasks = new Map<string, Task>();
  const subscribers = new Set<(event: TaskEvent) => void>();
  const stateListeners = new Set<(state: ConnectionState) => void>();
  let version = 0;
  let state = initialState;
  for (const task of initial) tasks.set(task.task_id, task);

  const emit = (event: TaskEvent) => {
    version += 1;
    for (const callback of [...subscribers]) callback(event);
  };

  // Each registration gets its own wrapper so a callback added twice is counted twice.
  const add = <T>(set: Set<T>, listener: T) => {
    const entry = ((...args: unknown[]) => (listener as (...a: unknown[]) => void)(...args)) as T;
    set.add(entry);
    return () => void set.delete(entry);
  };

  return {
    get state() {
      return state;
    },
    role: 'solo',
    get tasks() {
      return tasks;
    },
    get version() {
      return version;
    },
    subscribe: (callback) => add(subscribers, callback),
    on: ((_event: 'state', listener: (state: ConnectionState) => void) => add(stateListeners, listener)) as TaskClient['on'],
    refresh: () => Promise.resolve(),
    reconnect: () => {},
    close: () => {},
    put(task) {
      const type = tasks.has(task.task_id) ? 'task.update' : 'task.create';
      tasks.set(task.task_id, task);
      emit({ type, task, source: 'ws' });
    },
    remove(taskId) {
      const task = tasks.get(taskId);
      if (!task) return;
      tasks.delete(taskId);
      emit({ type: 'task.delete', task, source: 'ws' });
    },
    setState(next) {
      state = next;
      for (const listener of [...stateListeners]) listener(next);
    },
    listeners: () => ({ tasks: subscribers.size, state: stateListeners.size }),
  };
}

let seq = 0;

/** A task stamped `submitted_at` at second `at` of a fixed minute, so order tests read plainly. */
export function makeTask(at: number, patch: Partial<Task> = {}): Task {
  seq += 1;
  return {
    task_id: `task-${seq}`,
    status: 'pending',
    task_name: `job_${seq}`,
    submitted_at: `2026-11-25T17:33:${String(at).padStart(2, '0')}.000000`,
    ...patch,
  };
}
