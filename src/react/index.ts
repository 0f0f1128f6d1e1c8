/**
 * React bindings for flowrra-client (`flowrra-client/react`). React is an optional peer dependency:
 * only this entry imports it.
 *
 * The hooks only subscribe and unsubscribe; they never create, connect or close a client (except
 * {@link useTaskClient}, which owns the client it makes). Create the client once, outside render:
 *
 * ```tsx
 * // tasks.ts: one client for the page, made at module load.
 * export const tasks = createTaskClient({ url: '/flowrra', lazy: true });
 *
 * function TaskList() {
 *   const list = useTasks(tasks);
 *   return <ul>{list.map((t) => <li key={t.task_id}>{t.task_name}: {t.status}</li>)}</ul>;
 * }
 * ```
 *
 * or let a component own it with {@link useTaskClient}. Do not call `createTaskClient` in a render
 * body or in `useMemo`: React may render twice (StrictMode, discarded concurrent renders) and every
 * extra client would keep its own socket open. With server rendering, a module-level client needs
 * an absolute `url` (a path cannot be resolved without a page); `useTaskClient` needs none.
 *
 * Server rendering and hydration: every hook reads a fixed snapshot there (no tasks, `undefined`,
 * `'connecting'`), never the client, because the server's client and the browser's client cannot
 * hold the same tasks and React requires the server snapshot to match during hydration. The live
 * data replaces it right after hydration. Nothing subscribes on the server, so no socket is opened.
 */
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { createTaskClient, latestTimestamp } from '../index';
import type { ConnectionState, Task, TaskClient, TaskClientOptions } from '../index';

const EMPTY: readonly Task[] = Object.freeze([]);
// The server snapshot of `useTasks`; `client.version` is never negative, so it cannot be mistaken.
const SERVER_VERSION = -1;
/** What {@link useConnectionState} reports during server rendering and hydration. */
export const SERVER_CONNECTION_STATE: ConnectionState = 'connecting';

const sorted = new WeakMap<TaskClient, { version: number; tasks: readonly Task[] }>();

/**
 * The client's tasks, newest first, as a frozen array shared by every caller until
 * `client.version` changes: one sort per version however many components read it.
 *
 * "Newest" means the latest of `submitted_at`, `started_at` and `finished_at`, so a task moves to
 * the top whenever it starts or finishes. Flowrra's naive ISO-8601 timestamps sort as text; tasks
 * with the same (or no) timestamp keep the client's order reversed, i.e. the most recently seen
 * first.
 *
 * Usable without React, e.g. in a store adapter for another framework.
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

function useTaskEvents(client: TaskClient): (onChange: () => void) => () => void {
  return useCallback((onChange: () => void) => client.subscribe(onChange), [client]);
}

/**
 * All tasks, newest first (see {@link tasksNewestFirst} for the order). The component re-renders
 * when the client applies a change, and gets the same array object while nothing changed, so it
 * can be passed to memoized children or used as an effect dependency.
 *
 * Subscribing counts as a subscriber of the client: a `lazy` client connects on the first one.
 */
export function useTasks(client: TaskClient): readonly Task[] {
  // The snapshot is the version number, not the array: a burst of events (a poll applying many
  // changes) then costs a number comparison per event, and the sort runs once, at render.
  const version = useSyncExternalStore(useTaskEvents(client), () => client.version, () => SERVER_VERSION);
  return version === SERVER_VERSION ? EMPTY : tasksNewestFirst(client);
}

/**
 * One task by `task_id`, or `undefined` while it is unknown (or when `taskId` is null/undefined).
 * The component re-renders only when that task is replaced, not on changes to other tasks: the
 * client replaces a task object on change and never mutates it.
 *
 * Subscribing counts as a subscriber of the client: a `lazy` client connects on the first one.
 */
export function useTask(client: TaskClient, taskId: string | null | undefined): Task | undefined {
  return useSyncExternalStore(
    useTaskEvents(client),
    () => (taskId == null ? undefined : client.tasks.get(taskId)),
    () => undefined,
  );
}

/**
 * The client's connection state: `idle`, `connecting`, `live`, `polling` or `closed`.
 * Listening to the state does not count as a subscriber, so it does not start a `lazy` client;
 * pair it with {@link useTasks} or {@link useTask} in the same tree.
 * During server rendering and hydration it is {@link SERVER_CONNECTION_STATE}.
 */
export function useConnectionState(client: TaskClient): ConnectionState {
  const subscribe = useCallback((onChange: () => void) => client.on('state', onChange), [client]);
  return useSyncExternalStore(subscribe, () => client.state, () => SERVER_CONNECTION_STATE);
}

/**
 * A client owned by the calling component: created on first render, closed after unmount.
 *
 * - `options` are read once; to change them, remount (e.g. with a `key`).
 * - The client is always `lazy`, whatever `options.lazy` says: React may call the initializer twice
 *   and keep one result, and a lazy client that never gets a subscriber opens nothing. It connects
 *   when the first {@link useTasks}/{@link useTask} subscribes.
 * - Under StrictMode, React unmounts and remounts effects once on mount; the close is deferred
 *   by a microtask and cancelled by the remount, so the returned client stays usable.
 * - Inside a hidden `<Activity>` the client is closed like after unmount; when shown again the
 *   component re-renders with a new client (made with the same options), which reconnects.
 * - During server rendering it returns an inert client (no tasks, state `idle`, nothing to close),
 *   because a relative `url` cannot be resolved without a page.
 *
 * Share the client with children through props or your own context.
 */
export function useTaskClient(options?: TaskClientOptions): TaskClient {
  const make = (): TaskClient => (typeof window === 'undefined' ? SERVER_CLIENT : createTaskClient({ ...options, lazy: true }));
  const [client, setClient] = useState(make);
  const mounted = useRef(0);
  useEffect(() => {
    mounted.current += 1;
    // <Activity mode="hidden"> runs effect cleanups (the client closed) but keeps state: shown
    // again, the component gets a new client instead of the closed one.
    if (client.state === 'closed') setClient(make);
    return () => {
      mounted.current -= 1;
      queueMicrotask(() => {
        if (mounted.current === 0) client.close();
      });
    };
  }, [client]);
  return client;
}

const noop = (): void => {};

const SERVER_CLIENT: TaskClient = Object.freeze({
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
