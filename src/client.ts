import { resolveConfig } from './config';
import { createLog } from './debug';
import { configError, TaskClientError } from './errors';
import { decodeJson, isRecord, parseFrame, parseTask } from './frame';
import { Listeners } from './listeners';
import type { TaskClientOptions } from './options';
import { browserIsOnline, pageIsHidden, watchPage } from './page';
import { createPoller, type PollerConfig } from './poller';
import type { Task, TaskEventType } from './schema';
import { FATAL_CLOSE_CODES, openSocket, type SocketHandle } from './socket';
import { watchStale } from './stale-watch';
import { TaskStore } from './store';
import { createTokens } from './tokens';
import { withParam } from './url';
import type { ConnectionState, TabRole, TaskClient, TaskEvent } from './types';

/**
 * Creates a client that keeps `tasks` in step with a Flowrra server: live over the socket, by
 * polling while the socket is down, reconciled by a poll every time the socket opens.
 * Throws a `TaskClientError` of kind `config` for bad options; everything later goes to `on('error')`.
 */
export function createTaskClient(options: TaskClientOptions = {}): TaskClient {
  const config = resolveConfig(options);
  const store = new TaskStore(config.maxTasks);
  const tokens = createTokens(config.token);
  const subscribers = new Listeners<TaskEvent>();
  const stateListeners = new Listeners<ConnectionState>();
  const errorListeners = new Listeners<TaskClientError>();
  const roleListeners = new Listeners<TabRole>();

  let state: ConnectionState = 'idle';
  // The one guard, set by the transition to `closed`: after it no transition, change or report happens.
  let closed = false;
  // Set while started: the page is watched and a socket (or, after it stopped, the poller) is wanted.
  let unwatchPage: (() => void) | undefined;
  // Undefined while idle, and once the socket stopped for good (fatal close code, maxRetries).
  let socket: SocketHandle | undefined;
  let connectTimer: ReturnType<typeof setTimeout> | undefined;
  let lazyTimer: ReturnType<typeof setTimeout> | undefined;

  // A leader passes it on to the tabs it leads (redacted: no token goes on the channel), unless it
  // is `local`: a listener's error, or one the group reports, is this tab's own.
  const report = (error: TaskClientError, local?: boolean): void => {
    if (closed) return;
    const safe = tokens.redact(error);
    if (!local) group?.failed(safe);
    errorListeners.emit(safe, () => {
      // An error listener that throws has nowhere left to report to; the others have run.
    });
  };
  const listenerThrew = (error: unknown): void =>
    report(new TaskClientError('listener', `a listener threw: ${(error as Error)?.message ?? error}`, { cause: error }), true);
  const log = createLog(config.debug, tokens.redactText, listenerThrew);

  const apply = (type: TaskEventType, incoming: Task, source: 'ws' | 'poll'): boolean => {
    if (closed) return false;
    const task = type === 'task.delete' ? store.remove(incoming.task_id) : store.upsert(incoming, source === 'poll');
    if (!task) return false;
    group?.changed(type, task, source);
    subscribers.emit({ type, task, source }, listenerThrew);
    return true;
  };

  // Created only with a pollUrl, and resolveConfig found a fetch for it.
  const poller = config.pollUrl
    ? createPoller(config as PollerConfig, tokens.read, log, {
        items(items, newestFirst) {
          const tasks: Task[] = [];
          items.forEach((item, index) => {
            const task = parseTask(item, false, `results[${index}]`);
            if (task instanceof TaskClientError) report(task);
            else tasks.push(task);
          });
          // Applied oldest first: the store's insertion order is then their age, and eviction past
          // maxTasks drops the oldest, not the newest.
          if (newestFirst) tasks.reverse();
          return tasks.filter((task) => apply('task.update', task, 'poll')).length;
        },
        error: report,
      })
    : undefined;

  // With nothing to poll there is nothing to check a silent socket with.
  const stale = config.staleAfter && poller ? watchStale(config.staleAfter, poller.poll, () => socket?.restart(), log) : undefined;

  /**
   * Every state change goes through here. What the new state needs (the poller, the stale watch,
   * the connect timer) is in place before any listener hears of it, and nothing runs after the
   * listeners: one that calls close() finds nothing half done and nothing starts behind it.
   */
  const enter = (next: ConnectionState, mirrored?: boolean): void => {
    if (closed) return;
    closed = next === 'closed';
    // A follower's state is the leader's, mirrored: it has no socket or poller of its own to drive.
    if (!mirrored) {
      clearTimeout(connectTimer);
      stale?.stop();
      if (next === 'polling') poller!.start();
      else poller?.stop();
      if (next === 'connecting' && poller) connectTimer = setTimeout(() => enter('polling'), config.reconnect.connectTimeout);
      if (next === 'live') {
        stale?.start();
        // Whatever changed while the socket was down arrives by this poll.
        poller?.poll();
      }
    }
    if (state === next) return;
    const from = state;
    state = next;
    // After the state is set: a debug function that calls close() must find it, and leave it closed.
    log?.({ event: 'state', from, to: next });
    group?.beat();
    stateListeners.emit(next, listenerThrew);
  };

  // The socket is down: poll if we can, else wait for it (or for reconnect() once it stopped).
  const fallBack = (): void => enter(poller ? 'polling' : socket ? 'connecting' : 'idle');

  const socketUrl = async (): Promise<string> => withParam(config.wsUrl as string, 'token', await tokens.read());

  const connect = (once = false): void => {
    // `wsUrl: false`: a server with no socket (plain Flask); polling is the connection.
    if (!config.wsUrl) return enter('polling');
    socket = openSocket(
      // The config's own WebSocket and reconnect, spread: fewer bytes than naming them.
      { ...config, url: socketUrl, isOnline: browserIsOnline, freshToken: typeof config.token === 'function', once, log },
      {
        open() {
          log?.({ event: 'WS connected' });
          enter('live');
        },
        message(data) {
          stale?.touch();
          const event = parseFrame(data, config.maxFrameBytes);
          if (event instanceof TaskClientError) report(event);
          else apply(event.type, event.task, 'ws');
        },
        close(code, stopped) {
          if (stopped) socket = undefined;
          if (FATAL_CLOSE_CODES.includes(code)) {
            report(new TaskClientError('auth', `socket: closed with code ${code} (not authorised); ${stopped ? 'not reconnecting' : 'retrying with a fresh token'}`));
          }
          // Only an open socket disconnects: a failed attempt was never connected.
          if (state === 'live') log?.({ event: `WS disconnected${poller ? ' → enabling polling' : ''}` as 'WS disconnected' });
          fallBack();
        },
        exhausted(attempts) {
          socket = undefined;
          report(new TaskClientError('socket', `socket: gave up after ${attempts} attempts (reconnect.maxRetries)`));
          fallBack();
        },
        error: report,
      },
    );
    // A socket started again while polling keeps the client polling until it is live.
    enter(state === 'polling' ? 'polling' : 'connecting');
  };

  // Socket and poller stopped, the state left as it is: the page is leaving, or this tab stopped leading.
  const quiet = (): void => {
    clearTimeout(connectTimer);
    stale?.stop();
    poller?.stop();
    socket?.close();
    socket = undefined;
  };
  const release = (): void => {
    unwatchPage?.();
    unwatchPage = undefined;
    quiet();
  };

  // Nothing open, nothing pending: for close(), and for a lazy client whose subscribers all left.
  const halt = (): void => {
    clearTimeout(lazyTimer);
    group?.leave();
    release();
  };

  // Runs the socket and the poller: a client alone, or the leader of its tabs.
  const drive = (): void => {
    unwatchPage = watchPage({
      hidden: (hidden) => poller?.setPaused(hidden),
      // A socket that stopped for good gets one attempt when the network returns.
      online: () => (socket ? socket.nudge() : connect(true)),
      // Quietly: the state stays, so a page restored from the back/forward cache shows no flicker.
      leave: quiet,
      restore: () => connect(),
    }, log);
    poller?.setPaused(pageIsHidden());
    connect();
  };

  const group = config.shareConnection?.(config.shareKey, [
    drive,
    release,
    (next) => roleListeners.emit(next, listenerThrew),
    apply,
    (next) => enter(next, true),
    (error) => report(error, true),
    () => store.tasks.values(),
    () => state,
    async () => poller?.poll(),
    [TaskClientError, decodeJson, isRecord, parseTask, pageIsHidden, watchPage],
  ]);
  const start = (): void => (group ? group.join() : drive());

  const client: TaskClient = {
    subscribe(callback) {
      const remove = subscribers.add(callback);
      clearTimeout(lazyTimer);
      if (config.lazy && !unwatchPage && !closed) start();
      return () => {
        // Only the first call removes anything, so only it may start the lazy close.
        if (remove() && config.lazy && subscribers.size === 0 && !closed) {
          lazyTimer = setTimeout(() => {
            halt();
            enter('idle');
          }, config.lazyCloseTimeout);
        }
      };
    },
    on(event: 'state' | 'error' | 'role', listener: (value: never) => void) {
      if (event === 'state') return stateListeners.add(listener as (state: ConnectionState) => void);
      if (event === 'error') return errorListeners.add(listener as (error: TaskClientError) => void);
      if (event === 'role') return roleListeners.add(listener as (role: TabRole) => void);
      throw configError('on', '"state", "error" or "role"', event);
    },
    get state() {
      return state;
    },
    get role() {
      return group?.role ?? 'solo';
    },
    get tasks() {
      return store.tasks;
    },
    get version() {
      return store.version;
    },
    async refresh() {
      await (group ? group.refresh() : poller?.poll());
    },
    reconnect() {
      if (closed || !unwatchPage || state === 'live') return;
      if (socket) socket.restart();
      else connect();
    },
    close() {
      if (closed) return;
      halt();
      poller?.close();
      enter('closed');
      subscribers.clear();
      stateListeners.clear();
      errorListeners.clear();
      roleListeners.clear();
    },
  };

  if (!config.lazy) start();
  return client;
}
