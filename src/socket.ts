import ReconnectingWebSocket from 'reconnecting-websocket';
import { backoffDelay, type ReconnectConfig } from './backoff';
import { TaskClientError } from './errors';
import type { WebSocketLike } from './options';

/**
 * Close codes after which reconnecting cannot help: the server refused this client (policy
 * violation, or the 4401/4403 application codes for "unauthorized" and "forbidden"). Every other
 * code, 1006 from a stopped server and 1000 from a stopping Quart server included, is retried.
 */
export const FATAL_CLOSE_CODES: readonly number[] = [1008, 4401, 4403];

export interface SocketEvents {
  open(): void;
  message(data: unknown): void;
  /** The socket went down. `stopped`: a fatal code, it will not retry; otherwise it is retrying already. */
  close(code: number, stopped: boolean): void;
  /** The attempts allowed failed; the socket stopped. */
  exhausted(attempts: number): void;
  /** An attempt could not start (the token function, the URL or the WebSocket constructor threw); it counts as failed and is retried. */
  error(error: TaskClientError): void;
}

export interface SocketHandle {
  /** Skip the current backoff wait (the browser came back online). */
  nudge(): void;
  /** Drop the current socket and connect again at once, with a fresh attempt count. */
  restart(): void;
  close(): void;
}

export interface SocketConfig {
  /** The URL for the next attempt. A rejection (with the error to report) fails that attempt. */
  url: () => Promise<string>;
  WebSocket: WebSocketLike;
  reconnect: ReconnectConfig;
  isOnline: () => boolean;
  /** The URL carries a fresh token each time: after a fatal code, one more attempt may pass. */
  freshToken: boolean;
  /** One attempt only until a connection stays up `minUptime` (trying again after the socket had stopped). */
  once?: boolean;
}

/**
 * reconnecting-websocket does the reconnect loop; its own delay is set to zero and the URL provider
 * (called before every attempt) waits instead, so that each wait is a fresh jittered draw that
 * close() can cancel, the token is read anew, and an offline browser does not burn attempts.
 */
export function openSocket(config: SocketConfig, on: SocketEvents): SocketHandle {
  const { reconnect } = config;
  const budget = reconnect.maxRetries + 1;
  let attempts = 0; // attempts since the socket last stayed up `minUptime`, that connection counted as one
  let allowed = config.once ? 1 : budget;
  // Whether the one retry after a fatal code was spent; a connection that stays up earns it back.
  let fatalRetried = false;
  let stopped = false;
  let pending: { timer: ReturnType<typeof setTimeout> | undefined; go: () => void } | undefined;
  let uptimeTimer: ReturnType<typeof setTimeout> | undefined;

  const nextUrl = (): Promise<string> =>
    new Promise((resolve) => {
      if (attempts >= allowed) {
        stop();
        on.exhausted(attempts);
      }
      if (stopped) return resolve('');
      const delay = attempts === 0 ? 0 : backoffDelay(attempts, reconnect);
      attempts++;
      const go = (): void => {
        clearTimeout(pending?.timer);
        if (!stopped && !config.isOnline()) {
          pending = { timer: undefined, go }; // the `online` event calls nudge()
          return;
        }
        pending = undefined;
        // An empty URL is never opened: reconnecting-websocket checks for close() first, and the
        // guarded constructor turns it into a failed attempt.
        if (stopped) resolve('');
        else
          config.url().then(resolve, (error: TaskClientError) => {
            if (!stopped) on.error(error);
            resolve('');
          });
      };
      pending = { timer: setTimeout(go, delay), go };
    });

  const rws = new ReconnectingWebSocket(nextUrl, undefined, {
    WebSocket: guarded(config.WebSocket, (error) => {
      if (!stopped) on.error(new TaskClientError('socket', `socket: could not open (${(error as Error)?.message ?? error})`));
    }),
    connectionTimeout: reconnect.connectTimeout,
    minReconnectionDelay: 0,
    maxReconnectionDelay: 0,
    minUptime: reconnect.minUptime,
  });
  rws.binaryType = 'arraybuffer';

  rws.addEventListener('open', () => {
    clearTimeout(uptimeTimer);
    // Back to the first step, not to zero: zero means "go at once", and clients dropped together
    // by a server restart would all come back in the same instant.
    uptimeTimer = setTimeout(() => {
      attempts = 1;
      allowed = budget;
      fatalRetried = false;
    }, reconnect.minUptime);
    on.open();
  });
  rws.addEventListener('message', (event) => on.message(event.data));
  rws.addEventListener('close', (event) => {
    clearTimeout(uptimeTimer);
    if (stopped) return;
    let fatal = FATAL_CLOSE_CODES.includes(event.code);
    // The server may have refused a token that has expired since: a token function gets one more
    // try (as centrifuge asks getToken again), a fixed token cannot change.
    if (fatal && config.freshToken && !fatalRetried) {
      fatalRetried = true;
      fatal = false;
    }
    if (fatal) stop();
    on.close(event.code, fatal);
  });

  function stop(): void {
    if (stopped) return;
    stopped = true;
    clearTimeout(uptimeTimer);
    rws.close();
    // Settles the provider promise; reconnecting-websocket then sees it was closed and opens nothing.
    pending?.go();
  }

  return {
    nudge: () => pending?.go(),
    restart: () => {
      if (stopped) return;
      attempts = 0;
      rws.reconnect();
      pending?.go();
    },
    close: stop,
  };
}

/**
 * What reconnecting-websocket constructs. A throw from the constructor (or a URL the provider could
 * not make) would leave its connect lock held for good: it becomes a socket that closes at once
 * with 1006, an attempt that failed like any other. And reconnecting-websocket removes its
 * listeners before closing a socket that is still connecting; the `ws` package then emits an
 * `error` with no listener, which Node turns into an uncaught exception: a permanent no-op listener
 * keeps that error where it belongs.
 */
function guarded(Base: WebSocketLike, threw: (error: unknown) => void): WebSocketLike {
  function Guarded(url: string, protocols?: string | string[]): WebSocket {
    try {
      if (url) {
        const socket = new Base(url, protocols);
        socket.addEventListener('error', () => {});
        return socket;
      }
    } catch (error) {
      threw(error);
    }
    return failedAttempt();
  }
  // reconnecting-websocket checks CLOSING to recognise a WebSocket class.
  Guarded.CLOSING = 2;
  return Guarded as unknown as WebSocketLike;
}

function failedAttempt(): WebSocket {
  const socket = Object.assign(new EventTarget(), { readyState: 3, close() {}, send() {} });
  // Once reconnecting-websocket has added its listeners, which it does right after constructing.
  queueMicrotask(() => socket.dispatchEvent(Object.assign(new Event('close'), { code: 1006, reason: '', wasClean: false })));
  return socket as unknown as WebSocket;
}
