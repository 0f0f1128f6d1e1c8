/**
 * What the framework adapters (`react`, `vue`, `svelte`) share: the newest-first task list and the
 * fixed values they show where no client may be touched (server rendering, hydration). Not part of
 * the core: the core and the script-tag bundle never import it.
 */
import { latestTimestamp } from './index';
import type { ConnectionState, Task, TaskClient } from './index';

export const NO_TASKS: readonly Task[] = Object.freeze([]);

/** What the connection state reads as during server rendering and hydration. */
export const SERVER_CONNECTION_STATE: ConnectionState = 'connecting';

/** No page, so no socket: server rendering, or a test in plain Node. */
export const isServer = (): boolean => typeof window === 'undefined';

const sorted = new WeakMap<TaskClient, { version: number; tasks: readonly Task[] }>();

/**
 * The client's tasks, newest first, as a frozen array shared by every caller until
 * `client.version` changes: one sort per version however many components read it.
 *
 * "Newest" means the latest of `submitted_at`, `started_at` and `finished_at`, so a task moves to
 * the top whenever it starts or finishes. Flowrra's naive ISO-8601 timestamps sort as text; tasks
 * with the same (or no) timestamp keep the client's order reversed, i.e. the most recently seen
 * first.
 */
export function tasksNewestFirst(client: TaskClient): readonly Task[] {
  const version = client.version;
  const hit = sorted.get(client);
  if (hit && hit.version === version) return hit.tasks;
  const keyed = Array.from(client.tasks.values(), (task) => ({ task, key: latestTimestamp(task) })).reverse();
  // Array#sort is stable, so equal keys keep the reversed first-seen order.
  keyed.sort((a, b) => (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
  const tasks = Object.freeze(keyed.map((entry) => entry.task));
  sorted.set(client, { version, tasks });
  return tasks;
}

const noop = (): void => {};

/**
 * The client an owning hook or composable hands out during server rendering, where a relative
 * `url` cannot be resolved: no tasks, state `idle`, nothing to close.
 */
export const INERT_CLIENT: TaskClient = Object.freeze({
  subscribe: () => noop,
  on: () => noop,
  state: 'idle',
  role: 'solo',
  tasks: new Map<string, Task>(),
  version: 0,
  refresh: () => Promise.resolve(),
  reconnect: noop,
  close: noop,
});
