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
import { createTaskClient } from '../index';
import type { ConnectionState, Task, TaskClient, TaskClientOptions } from '../index';
import { INERT_CLIENT, isServer, NO_TASKS, SERVER_CONNECTION_STATE, tasksNewestFirst } from '../view';
import { INITIAL_RUN, watchTask, type TaskRun } from '../watch';

// The server snapshot of `useTasks`; `client.version` is never negative, so it cannot be mistaken.
const SERVER_VERSION = -1;

export { SERVER_CONNECTION_STATE, tasksNewestFirst };
export type { TaskRun };

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
  return version === SERVER_VERSION ? NO_TASKS : tasksNewestFirst(client);
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
  const make = (): TaskClient => (isServer() ? INERT_CLIENT : createTaskClient({ ...options, lazy: true }));
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

/**
 * One run, `{ task, state, error }` (see `watchTask` in `flowrra-client/watch`), for a page that
 * shows a user their own run: a client of its own, scoped by `options.token`, opened after mount
 * and closed on unmount, when `taskId` changes, and once the run is final (the final state stays).
 * Nothing opens while `taskId` is null/undefined, or during server rendering (`INITIAL_RUN` there).
 * `options` are read when the id changes; pass the scoped mount as `url` (e.g. `/live`).
 *
 * ```tsx
 * const { task, error } = useTaskRun(taskId, { url: '/live', token });
 * ```
 */
export function useTaskRun(taskId: string | null | undefined, options?: TaskClientOptions): TaskRun {
  const [seen, setSeen] = useState<{ id?: string; run: TaskRun }>({ run: INITIAL_RUN });
  useEffect(() => (taskId == null ? undefined : watchTask({ ...options, taskId }, (run) => setSeen({ id: taskId, run }))), [taskId]);
  // A run of the previous id is never shown for the new one, even for the render before the effect.
  return seen.id === taskId ? seen.run : INITIAL_RUN;
}
