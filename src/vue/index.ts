/**
 * Vue 3 bindings for flowrra-client (`flowrra-client/vue`). Vue is an optional peer dependency:
 * only this entry imports it.
 *
 * The composables only subscribe and unsubscribe; they never create, connect or close a client
 * (except {@link useTaskClient}, which owns the client it makes). Each returns a read-only ref and
 * stops listening when the effect scope that called it is disposed (a component's unmount, or
 * `scope.stop()`), so call them in `setup()` / `<script setup>` or inside an `effectScope`.
 *
 * ```vue
 * <script setup lang="ts">
 * import { tasks as client } from './tasks'; // createTaskClient({ url: '/flowrra', lazy: true }), made once
 * const tasks = useTasks(client);
 * </script>
 * <template>
 *   <ul><li v-for="t in tasks" :key="t.task_id">{{ t.task_name }}: {{ t.status }}</li></ul>
 * </template>
 * ```
 *
 * Server rendering and hydration: in a component the refs hold a fixed snapshot (no tasks,
 * `undefined`, `'connecting'`) until the component is mounted, and only then read and subscribe to
 * the client. Vue never mounts on the server, so nothing subscribes and no socket is opened there,
 * and the first client render matches the server markup; the live data replaces it right after
 * mounting, before the browser paints. Outside a component (a bare `effectScope`, a Pinia setup
 * store) there is no mount to wait for: they subscribe at once in the browser, and never where there
 * is no `window` (server rendering), where they keep the fixed snapshot.
 */
import { computed, getCurrentInstance, getCurrentScope, onMounted, onScopeDispose, shallowRef, toValue, watch } from 'vue';
import type { MaybeRefOrGetter, Ref, ShallowRef } from 'vue';
import { createTaskClient, TaskClientError } from '../index';
import type { ConnectionState, Task, TaskClient, TaskClientOptions } from '../index';
import { INERT_CLIENT, isServer, NO_TASKS, SERVER_CONNECTION_STATE, tasksNewestFirst } from '../view';
import { INITIAL_RUN, watchTask, type TaskRun } from '../watch';

export type { TaskRun };

/** Not subscribed (yet): `client.version` is never negative, so it cannot be mistaken for a live one. */
const NOT_LISTENING = -1;

function ownerScope(caller: string): void {
  if (!getCurrentScope()) {
    // Without a scope nothing would ever unsubscribe: the listener, and a lazy client's socket, would leak.
    throw new TaskClientError('config', `${caller}() must be called in a component's setup() or inside an effectScope().`);
  }
}

/**
 * A shallow ref holding `read()`, refreshed on every `listen` notification: from mount in a
 * component, at once in a bare scope in the browser, never on the server (see the module comment);
 * `before` until then. Unsubscribes when the calling scope is disposed.
 */
function follow<T>(caller: string, before: T, read: () => T, listen: (onChange: () => void) => () => void): Readonly<ShallowRef<T>> {
  ownerScope(caller);
  const value = shallowRef(before);
  let stop: (() => void) | undefined;
  let disposed = false;
  const start = () => {
    // A scope of its own inside setup() may be stopped before the component mounts.
    if (disposed) return;
    stop = listen(() => {
      value.value = read();
    });
    value.value = read();
  };
  onScopeDispose(() => {
    disposed = true;
    stop?.();
  });
  if (getCurrentInstance()) onMounted(start);
  else if (!isServer()) start();
  return value;
}

/** `client.version` while subscribed, {@link NOT_LISTENING} before. Counts as a subscriber of the client. */
const useVersion = (caller: string, client: TaskClient) =>
  follow(caller, NOT_LISTENING, () => client.version, (onChange) => client.subscribe(onChange));

/**
 * All tasks, newest first (the order of `tasksNewestFirst`: latest of `submitted_at`, `started_at`,
 * `finished_at`; ties most recently seen first), as a read-only ref to a frozen array. The array is
 * replaced only when the client applied a change, and sorted once however many changes a poll
 * applied at once, so a render or `watch(tasks, …)` runs once for them.
 *
 * Subscribing counts as a subscriber of the client: a `lazy` client connects on the first one.
 */
export function useTasks(client: TaskClient): Readonly<Ref<readonly Task[]>> {
  const version = useVersion('useTasks', client);
  // Computed, so a burst of events (a poll applying many changes) only bumps a number per event
  // and the sort runs once, when the list is next read (at render).
  return computed(() => (version.value === NOT_LISTENING ? NO_TASKS : tasksNewestFirst(client)));
}

/**
 * One task by `task_id`, or `undefined` while it is unknown (or when the id is null/undefined).
 * `taskId` may be a plain value, a ref or a getter (`() => props.id`); the ref follows it.
 * Dependents re-run only when that task is replaced, not on changes to other tasks: the client
 * replaces a task object on change and never mutates it.
 *
 * Subscribing counts as a subscriber of the client: a `lazy` client connects on the first one.
 */
export function useTask(client: TaskClient, taskId: MaybeRefOrGetter<string | null | undefined>): Readonly<Ref<Task | undefined>> {
  const version = useVersion('useTask', client);
  return computed(() => {
    if (version.value === NOT_LISTENING) return undefined;
    const id = toValue(taskId);
    return id == null ? undefined : client.tasks.get(id);
  });
}

/**
 * The client's connection state: `idle`, `connecting`, `live`, `polling` or `closed`.
 * Listening to the state does not count as a subscriber, so it does not start a `lazy` client;
 * pair it with {@link useTasks} or {@link useTask}. Before mount it is `'connecting'`.
 */
export function useConnectionState(client: TaskClient): Readonly<Ref<ConnectionState>> {
  const state = follow('useConnectionState', SERVER_CONNECTION_STATE, () => client.state, (onChange) => client.on('state', onChange));
  return computed(() => state.value);
}

/**
 * A client owned by the calling scope: created now, closed when the scope is disposed (the
 * component unmounts). `options` are read once; to change them, remount (e.g. with a `key`).
 *
 * The client is always `lazy`, whatever `options.lazy` says: it connects when the first
 * {@link useTasks}/{@link useTask} subscribes, i.e. on mount. During server rendering it returns
 * an inert client (no tasks, state `idle`, nothing to close), because a relative `url` cannot be
 * resolved without a page. Share it with child components through props or `provide`.
 */
export function useTaskClient(options?: TaskClientOptions): TaskClient {
  ownerScope('useTaskClient');
  if (isServer()) return INERT_CLIENT;
  const client = createTaskClient({ ...options, lazy: true });
  onScopeDispose(() => client.close());
  return client;
}

/**
 * One run, as a read-only ref to `{ task, state, error }` (see `watchTask` in
 * `flowrra-client/watch`), for a page that shows a user their own run. `taskId` may be a value, a
 * ref or a getter. A client of its own, scoped by `options.token`, opens on mount (at once in a bare
 * scope in the browser, never on the server) and closes when the scope is disposed, when the id
 * changes, and once the run is final (the final state stays). Nothing opens while the id is
 * null/undefined. `options` are read when the id changes; pass the scoped mount as `url` (e.g. `/live`).
 */
export function useTaskRun(taskId: MaybeRefOrGetter<string | null | undefined>, options?: TaskClientOptions): Readonly<ShallowRef<TaskRun>> {
  let run = INITIAL_RUN;
  return follow('useTaskRun', INITIAL_RUN, () => run, (onChange) => {
    let stopRun: (() => void) | undefined;
    const stopWatch = watch(
      () => toValue(taskId),
      (id) => {
        stopRun?.();
        run = INITIAL_RUN;
        stopRun = id == null ? undefined : watchTask({ ...options, taskId: id }, (next) => ((run = next), onChange()));
        onChange();
      },
      { immediate: true },
    );
    return () => {
      stopWatch();
      stopRun?.();
    };
  });
}
