/**
 * One run, for a "your report is being generated" page (`flowrra-client/watch`): a client scoped to
 * that run, which closes itself once the run is final. Its own entry, so the script tag and an app
 * that does not use it carry none of it; the framework adapters' `useTaskRun` / `taskRunStore` use it.
 *
 * ```ts
 * const { task_id, token } = await (await fetch('/reports', { method: 'POST' })).json();
 * const stop = watchTask({ url: '/live', taskId: task_id, token }, ({ task }) => {
 *   status.textContent = task?.status ?? 'waiting';
 * });
 * ```
 */
import { createTaskClient, TaskClientError } from './index';
import type { ConnectionState, Task, TaskClientOptions } from './index';

export interface WatchTaskOptions extends TaskClientOptions {
  /** The run to follow: the `task_id` Flowrra's `submit` returned. */
  taskId: string;
}

/** What a watched run looks like now. A new frozen object on every change. */
export interface TaskRun {
  /** The run as last received; `undefined` until its first state arrives. */
  task: Task | undefined;
  /**
   * The client's connection state (see `ConnectionState`): `closed` once the run is final or the
   * watch was stopped.
   */
  state: ConnectionState;
  /** The last error the client reported; cleared when the socket is live again. */
  error: TaskClientError | undefined;
}

/** Before anything happened: no run, nothing open, no error. */
export const INITIAL_RUN: TaskRun = Object.freeze({ task: undefined, state: 'idle', error: undefined });

/** `success` and `failed` are final: Flowrra never changes such a run again. */
export const isFinal = (task: Task | undefined): boolean => task?.status === 'success' || task?.status === 'failed';

/**
 * Follows the run `taskId`: `callback` gets a {@link TaskRun} on each change of the run, of the
 * connection state, and on each error. Connects at once; closes by itself once the run is final
 * (`callback` gets that state, then `state: 'closed'`). Returns a stop function (no call after it;
 * safe to call twice).
 *
 * Give `url` the scoped mount (e.g. `/live`) and `token` a read token for the run (or a function
 * fetching a fresh one): Flowrra's own socket would send this page every task of the server. Every
 * other option is `createTaskClient`'s; `lazy` is ignored. Throws a `TaskClientError` of kind
 * `config` for a missing `taskId` or bad options.
 */
export function watchTask(options: WatchTaskOptions, callback: (run: TaskRun) => void): () => void {
  const { taskId, ...clientOptions } = options;
  if (typeof taskId !== 'string' || !taskId) throw new TaskClientError('config', 'watchTask needs taskId: the task_id Flowrra returned.');
  // Lazy, so that it connects only once every listener below is attached, at the subscribe.
  const client = createTaskClient({ ...clientOptions, lazy: true });
  let run = INITIAL_RUN;
  const update = (change: Partial<TaskRun>): void => {
    run = Object.freeze({ ...run, ...change });
    callback(run);
  };
  const stops = [
    client.on('state', (state) => update(state === 'live' ? { state, error: undefined } : { state })),
    client.on('error', (error) => update({ error })),
    client.subscribe(({ type, task }) => {
      if (task.task_id !== taskId) return;
      update({ task: type === 'task.delete' ? undefined : task });
      if (isFinal(run.task)) client.close();
    }),
  ];
  return () => {
    for (const stop of stops) stop();
    client.close();
  };
}
