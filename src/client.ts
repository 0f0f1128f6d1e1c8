import { resolveConfig } from './config';
import { TaskClientError } from './errors';
import { parseFrame, parseTask } from './frame';
import { Listeners } from './listeners';
import type { TaskClientOptions } from './options';
import { browserIsOnline, pageIsHidden, watchPage } from './page';
import { createPoller, type Poller } from './poller';
import type { Task, TaskEventType } from './schema';
import { openSocket, type SocketHandle } from './socket';
import { TaskStore } from './store';
import type { ConnectionState, TaskClient, TaskEvent } from './types';

/**
 * Creates a client that keeps `tasks` in step with a Flowrra server: live over the socket, by
 * polling while the socket is down, reconciled by a poll every time the socket opens.
 * Throws a `TaskClientError` of kind `config` for bad options; everything later goes to `on('error')`.
 */
export function createTaskClient(options: TaskClientOptions = {}): TaskClient {
  const config = resolveConfig(options);
  const store = new TaskStore(config.maxTasks);
  const subscribers = new Listeners<TaskEvent>();
  const stateListeners = new Listeners<ConnectionState>();
  const errorListeners = new Listeners<TaskClientError>();

  let state: ConnectionState = config.lazy ? 'idle' : 'connecting';
  let socket: SocketHandle | undefined;
  let connectTimer: ReturnType<typeof setTimeout> | undefined;
  let staleTimer: ReturnType<typeof setTimeout> | undefined;
  let lastFrameAt = 0;
  let unwatchPage: (() => void) | undefined;
  // The tokens handed out lately: an error may quote the one an earlier, slower request carried.
  const recentTokens = new Set<string>();

  const report = (error: TaskClientError): void => {
    errorListeners.emit(redact(error, recentTokens), () => {
      // An error listener that throws has nowhere left to report to; the others have run.
    });
  };
  const listenerThrew = (error: unknown): void =>
    report(new TaskClientError('listener', `a listener threw: ${(error as Error)?.message ?? error}`, { cause: error }));

  const setState = (next: ConnectionState): void => {
    if (state === next || state === 'closed') return;
    state = next;
    stateListeners.emit(next, listenerThrew);
  };

  const apply = (type: TaskEventType, incoming: Task, source: 'ws' | 'poll'): boolean => {
    const task = type === 'task.delete' ? store.remove(incoming.task_id) : store.upsert(incoming, source === 'poll');
    if (!task) return false;
    subscribers.emit({ type, task, source }, listenerThrew);
    return true;
  };

  const readToken = async (): Promise<string | undefined> => {
    try {
      const token = typeof config.token === 'function' ? await config.token() : config.token;
      if (!token) return undefined;
      recentTokens.delete(token);
      recentTokens.add(token);
      if (recentTokens.size > 16) recentTokens.delete(recentTokens.values().next().value as string);
      return token;
    } catch (error) {
      // The message is ours alone: whatever the token function threw may quote the token.
      report(new TaskClientError('auth', 'token: the token function failed; going on without a token'));
      return undefined;
    }
  };

  const poller: Poller | undefined = config.pollUrl
    ? createPoller(
        {
          url: config.pollUrl,
          fetch: config.fetch as typeof fetch,
          interval: config.pollInterval,
          timeout: config.pollTimeout,
          headers: config.headers,
          credentials: config.credentials,
          token: readToken,
        },
        {
          items(items) {
            const tasks: Task[] = [];
            items.forEach((item, index) => {
              const task = parseTask(item, false, `results[${index}]`);
              if (task instanceof TaskClientError) report(task);
              else tasks.push(task);
            });
            // Answers come newest first. Applied oldest first, the store's insertion order is their
            // age, and eviction past maxTasks drops the oldest, not the newest.
            let changes = 0;
            for (let i = tasks.length - 1; i >= 0; i--) changes += Number(apply('task.update', tasks[i], 'poll'));
            return changes;
          },
          error: report,
        },
      )
    : undefined;

  const socketUrl = async (): Promise<string> => {
    const token = await readToken();
    if (!token) return config.wsUrl;
    const url = new URL(config.wsUrl);
    url.searchParams.set('token', token);
    return url.href;
  };

  // The socket is down or not yet up: poll if we can, else wait for it.
  const fallBack = (): void => {
    clearTimeout(connectTimer);
    stopStaleWatch();
    if (poller) {
      setState('polling');
      poller.start();
    } else setState('connecting');
  };

  const watchStale = (): void => {
    if (!config.staleAfter || !poller) return;
    const timer = setTimeout(async () => {
      const silentFor = Date.now() - lastFrameAt;
      if (silentFor < config.staleAfter) return watchStale();
      lastFrameAt = Date.now();
      // A silent socket may be half-open; if the server has news the socket did not bring, it is.
      const missed = await poller.poll();
      // Another socket may have opened (and started its own watch) while the poll was out.
      if (state !== 'live' || staleTimer !== timer) return;
      if (missed > 0) socket?.restart();
      else watchStale();
    }, Math.max(0, config.staleAfter - (Date.now() - lastFrameAt)));
    staleTimer = timer;
  };
  const stopStaleWatch = (): void => {
    clearTimeout(staleTimer);
    staleTimer = undefined;
  };

  const connect = (): void => {
    setState('connecting');
    connectTimer = setTimeout(() => state === 'connecting' && fallBack(), config.reconnect.connectTimeout);
    socket = openSocket(
      { url: socketUrl, WebSocket: config.WebSocket, reconnect: config.reconnect, isOnline: browserIsOnline },
      {
        open() {
          clearTimeout(connectTimer);
          poller?.stop();
          setState('live');
          lastFrameAt = Date.now();
          stopStaleWatch();
          watchStale();
          // Whatever changed while the socket was down arrives by this poll.
          poller?.poll();
        },
        message(data) {
          lastFrameAt = Date.now();
          const event = parseFrame(data, config.maxFrameBytes);
          if (event instanceof TaskClientError) report(event);
          else apply(event.type, event.task, 'ws');
        },
        close(code, fatal) {
          if (fatal) {
            report(new TaskClientError('auth', `socket: the server closed it with code ${code} (not authorised); not reconnecting`));
            if (!poller) return client.close();
          }
          fallBack();
        },
        exhausted(attempts) {
          report(new TaskClientError('socket', `socket: gave up after ${attempts} attempts (reconnect.maxRetries)`));
          if (!poller) client.close();
        },
      },
    );
  };

  const disconnect = (): void => {
    clearTimeout(connectTimer);
    stopStaleWatch();
    socket?.close();
    socket = undefined;
    poller?.stop();
  };

  const start = (): void => {
    unwatchPage = watchPage({
      hidden: (hidden) => poller?.setPaused(hidden),
      online: () => socket?.nudge(),
      leave: disconnect,
      restore: () => {
        disconnect();
        connect();
      },
    });
    poller?.setPaused(pageIsHidden());
    connect();
  };

  const client: TaskClient = {
    subscribe(callback) {
      const unsubscribe = subscribers.add(callback);
      if (state === 'idle') start();
      return unsubscribe;
    },
    on(event: 'state' | 'error', listener: (value: never) => void) {
      if (event === 'state') return stateListeners.add(listener as (state: ConnectionState) => void);
      if (event === 'error') return errorListeners.add(listener as (error: TaskClientError) => void);
      throw new TaskClientError('config', `on: unknown event ${JSON.stringify(event)}; expected "state" or "error"`);
    },
    get state() {
      return state;
    },
    get tasks() {
      return store.tasks;
    },
    get version() {
      return store.version;
    },
    refresh() {
      return poller ? poller.poll().then(() => undefined) : Promise.resolve();
    },
    close() {
      if (state === 'closed') return;
      disconnect();
      poller?.close();
      unwatchPage?.();
      setState('closed');
      subscribers.clear();
      stateListeners.clear();
      errorListeners.clear();
    },
  };

  if (!config.lazy) start();
  return client;
}

// A server may echo the token back (an error page quoting the request); it must not reach logs.
function redact(error: TaskClientError, tokens: Iterable<string>): TaskClientError {
  let { message, raw } = error;
  for (const token of tokens) {
    message = message.split(token).join('[token]');
    raw = raw?.split(token).join('[token]');
  }
  if (message === error.message && raw === error.raw) return error;
  return new TaskClientError(error.kind, message, { raw, status: error.status });
}
