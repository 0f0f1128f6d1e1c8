import type { Task } from './schema';
import type { TaskClientError } from './errors';

/**
 * - `idle`: nothing open and nothing trying: a `lazy` client before its first subscriber or after
 *   its last (see `lazyCloseTimeout`), or, with polling off, a socket stopped by a fatal close code
 *   or `reconnect.maxRetries` (`reconnect()` starts it again).
 * - `connecting`: the socket is not open and polling is off or not started yet.
 * - `live`: the socket is open; events arrive as they happen.
 * - `polling`: the socket is down; the poll endpoint is read every `pollInterval`.
 * - `closed`: after `close()`. Final.
 */
export type ConnectionState = 'idle' | 'connecting' | 'live' | 'polling' | 'closed';

/**
 * With `shareConnection`: `leader` holds the socket and the poller for its tabs, a `follower`
 * receives everything from it and opens nothing. `solo`: sharing is off or not possible here, or
 * the client is in no group: a `lazy` client with no subscriber, and after `close()`.
 */
export type TabRole = 'leader' | 'follower' | 'solo';

export type TaskEventType = 'task.update' | 'task.create' | 'task.delete';

/** One applied change to the task view. `task` is the merged task as now stored (for a delete: as it was). */
export interface TaskEvent {
  type: TaskEventType;
  task: Task;
  source: 'ws' | 'poll';
}

export interface TaskClient {
  /** Calls `callback` once per applied change. Returns the unsubscribe function. */
  subscribe(callback: (event: TaskEvent) => void): () => void;
  on(event: 'state', listener: (state: ConnectionState) => void): () => void;
  on(event: 'error', listener: (error: TaskClientError) => void): () => void;
  /** The tab's role changed (`shareConnection`): it became the leader, or stopped leading. */
  on(event: 'role', listener: (role: TabRole) => void): () => void;
  readonly state: ConnectionState;
  /** This tab's part in its group of tabs; see {@link TabRole}. */
  readonly role: TabRole;
  /** The merged current view, by `task_id`, read-only. Task objects are replaced, never mutated, on change. */
  readonly tasks: ReadonlyMap<string, Task>;
  /** Grows by one on every applied change: a cheap snapshot key (React's `useSyncExternalStore`). */
  readonly version: number;
  /** Polls now (at most one poll is in flight; a request during one runs once it ends). A follower asks its leader to. */
  refresh(): Promise<void>;
  /**
   * Starts the socket again after it stopped (a fatal close code, `reconnect.maxRetries`), or
   * skips the current backoff wait, with a fresh attempt count. Does nothing while live, on an
   * idle `lazy` client (subscribing connects it), or after `close()`.
   */
  reconnect(): void;
  /** Stops everything: socket, timers, fetches, callbacks. Idempotent; safe inside any listener. */
  close(): void;
}
