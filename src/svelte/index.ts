/**
 * Svelte stores for flowrra-client (`flowrra-client/svelte`). They follow the Svelte store
 * contract, so `$tasks` works in Svelte 3, 4 and 5 components, and import nothing from svelte.
 *
 * ```svelte
 * <script>
 *   import { tasks as client } from './tasks'; // createTaskClient({ url: '/flowrra', lazy: true }), made once
 *   const tasks = tasksStore(client);
 * </script>
 * <ul>{#each $tasks as t (t.task_id)}<li>{t.task_name}: {t.status}</li>{/each}</ul>
 * ```
 *
 * A store listens to its client only while it has subscribers: it starts on the first and stops
 * when the last leaves. The stores never create, connect or close a client; a `lazy` client
 * connects when the first {@link tasksStore}/{@link taskStore} gets a subscriber.
 *
 * Server rendering: where there is no `window`, the stores hold a fixed snapshot (no tasks,
 * `undefined`, `'connecting'`) and never touch the client, since Svelte subscribes to every `$store`
 * while rendering on the server too and a `lazy` client would otherwise open a socket there.
 */
import type { ConnectionState, Task, TaskClient, TaskClientOptions } from '../index';
import { isServer, NO_TASKS, SERVER_CONNECTION_STATE, tasksNewestFirst } from '../view';
import { INITIAL_RUN, watchTask, type TaskRun } from '../watch';

export type { TaskRun };

/** The Svelte store contract: `run` is called at once with the current value, then on each change. */
export interface Readable<T> {
  subscribe(this: void, run: (value: T) => void): () => void;
}

interface Source<T> {
  read(): T;
  listen(onChange: () => void): () => void;
  /** What the store holds where there is no page. */
  server: T;
  /**
   * Notify once per microtask instead of once per change: for values that cost something to read,
   * so a burst of changes applied in one go (a poll) costs one read.
   */
  batched?: boolean;
}

function readable<T>({ read, listen, server, batched }: Source<T>): Readable<T> {
  const runs = new Set<{ run: (value: T) => void }>();
  let value = server;
  let stop: (() => void) | undefined;
  let pending = false;

  const flush = () => {
    pending = false;
    const next = read();
    if (next === value) return;
    value = next;
    // A copy: a subscriber may unsubscribe (or subscribe another) while being told.
    for (const entry of [...runs]) if (runs.has(entry)) entry.run(value);
  };
  const onChange = () => {
    if (!batched) return flush();
    if (pending) return;
    pending = true;
    queueMicrotask(() => pending && stop && flush());
  };

  return {
    subscribe(run) {
      const entry = { run };
      if (!isServer()) {
        if (!stop) {
          stop = listen(onChange);
          value = read();
        } else if (pending) {
          flush();
        }
      }
      runs.add(entry);
      run(value);
      return () => {
        if (!runs.delete(entry) || runs.size > 0) return;
        stop?.();
        stop = undefined;
        pending = false;
      };
    },
  };
}

/**
 * All tasks, newest first (latest of `submitted_at`, `started_at`, `finished_at`; ties most
 * recently seen first), as a frozen array replaced only when the client applied a change.
 * Subscribing counts as a subscriber of the client: a `lazy` client connects on the first one.
 */
export function tasksStore(client: TaskClient): Readable<readonly Task[]> {
  return readable({
    read: () => tasksNewestFirst(client),
    listen: (onChange) => client.subscribe(onChange),
    server: NO_TASKS,
    batched: true,
  });
}

/**
 * One task by `task_id`, or `undefined` while it is unknown (or when `taskId` is null/undefined).
 * Notifies only when that task is replaced, not on changes to other tasks. For an id that changes,
 * make a new store: `$derived(taskStore(client, id))` in Svelte 5, `$: task = taskStore(client, id)` before.
 * Subscribing counts as a subscriber of the client: a `lazy` client connects on the first one.
 */
export function taskStore(client: TaskClient, taskId: string | null | undefined): Readable<Task | undefined> {
  return readable<Task | undefined>({
    read: () => (taskId == null ? undefined : client.tasks.get(taskId)),
    listen: (onChange) => client.subscribe(onChange),
    server: undefined,
  });
}

/**
 * The client's connection state: `idle`, `connecting`, `live`, `polling` or `closed`.
 * Listening to the state does not count as a subscriber, so it does not start a `lazy` client;
 * pair it with {@link tasksStore} or {@link taskStore}.
 */
export function connectionStateStore(client: TaskClient): Readable<ConnectionState> {
  return readable({
    read: () => client.state,
    listen: (onChange) => client.on('state', onChange),
    server: SERVER_CONNECTION_STATE,
  });
}

/**
 * One run, `{ task, state, error }` (see `watchTask` in `flowrra-client/watch`), for a page that
 * shows a user their own run. Lazy: a client of its own, scoped by `options.token`, opens with the
 * first subscriber and closes when the last leaves, and once the run is final (the final state
 * stays). Nothing opens while `taskId` is null/undefined, or where there is no `window`. For an id
 * that changes, make a new store (as for {@link taskStore}); pass the scoped mount as `url` (e.g. `/live`).
 */
export function taskRunStore(taskId: string | null | undefined, options?: TaskClientOptions): Readable<TaskRun> {
  let run = INITIAL_RUN;
  return readable({
    read: () => run,
    listen(onChange) {
      run = INITIAL_RUN;
      return taskId == null ? () => {} : watchTask({ ...options, taskId }, (next) => ((run = next), onChange()));
    },
    server: INITIAL_RUN,
  });
}
