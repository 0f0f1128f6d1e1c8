import ReconnectingWebSocket from 'reconnecting-websocket';
import { backoffDelay, type ReconnectConfig } from './backoff';
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
  /** The socket went down; it is already retrying unless `fatal`. */
  close(code: number, fatal: boolean): void;
  /** `maxRetries` attempts failed; the socket stopped. */
  exhausted(attempts: number): void;
}

export interface SocketHandle {
  /** Skip the current backoff wait (the browser came back online). */
  nudge(): void;
  /** Drop the current socket and connect again at once, with a fresh attempt count. */
  restart(): void;
  close(): void;
}

export interface SocketConfig {
  /** The URL for the next attempt. Must not reject. */
  url: () => Promise<string>;
  WebSocket: WebSocketLike;
  reconnect: ReconnectConfig;
  isOnline: () => boolean;
}

/**
 * reconnecting-websocket does the reconnect loop; its own delay is set to zero and the URL provider
 * (called before every attempt) waits instead, so that each wait is a fresh jittered draw that
 * close() can cancel, the token is read anew, and an offline browser does not burn attempts.
 */
export function openSocket(config: SocketConfig, on: SocketEvents): SocketHandle {
  const { reconnect } = config;
  let attempts = 0; // attempts since the socket last stayed up `minUptime`, that connection counted as one
  let stopped = false;
  let pending: { timer: ReturnType<typeof setTimeout> | undefined; go: () => void } | undefined;
  let uptimeTimer: ReturnType<typeof setTimeout> | undefined;

  const nextUrl = (): Promise<string> =>
    new Promise((resolve) => {
      if (attempts > reconnect.maxRetries) {
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
        // An empty URL is never opened: reconnecting-websocket checks for close() first.
        if (stopped) resolve('');
        else config.url().then(resolve);
      };
      pending = { timer: setTimeout(go, delay), go };
    });

  const rws = new ReconnectingWebSocket(nextUrl, undefined, {
    WebSocket: guarded(config.WebSocket),
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
    uptimeTimer = setTimeout(() => (attempts = 1), reconnect.minUptime);
    on.open();
  });
  rws.addEventListener('message', (event) => on.message(event.data));
  rws.addEventListener('close', (event) => {
    clearTimeout(uptimeTimer);
    if (stopped) return;
    const fatal = FATAL_CLOSE_CODES.includes(event.code);
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
 * reconnecting-websocket removes its listeners before closing a socket that is still connecting;
 * the `ws` package then emits an `error` with no listener, which Node turns into an uncaught
 * exception. A permanent no-op listener keeps that error where it belongs.
 */
function guarded(Base: WebSocketLike): WebSocketLike {
  // CLOSING, which reconnecting-websocket checks, is inherited: a browser's is read-only.
  return class extends (Base as unknown as { new (url: string, protocols?: string | string[]): WebSocket }) {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('error', () => {});
    }
  } as unknown as WebSocketLike;
}
