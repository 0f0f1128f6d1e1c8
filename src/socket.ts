import ReconnectingWebSocket from 'reconnecting-websocket';
import { backoffDelay, type ReconnectConfig } from './backoff';
import type { Log } from './debug';
import { TaskClientError } from './errors';
import type { WebSocketLike } from './options';
import { tokenTimeout } from './tokens';

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
  /** An attempt could not start (the token step failed or timed out, or the WebSocket constructor threw); it counts as failed and is retried. */
  error(error: TaskClientError): void;
}

export interface SocketHandle {
  /** Skip the current backoff wait (the browser came back online). */
  nudge(): void;
  /** Drop the current socket, or the attempt being prepared, and connect again at once, with a fresh attempt count. */
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
  log?: Log;
}

/**
 * reconnecting-websocket runs the loop: it opens each socket, drops a handshake that outlasts
 * `connectionTimeout`, connects again after every close until `maxRetries` attempts since the last
 * connection that stayed up `minUptime`, and drops and reopens on reconnect(). Around it:
 * - its URL provider waits, reads the token (within connectTimeout) and logs the attempt. Its own
 *   delays stay at zero: they are a fixed curve, the same for every client (a storm after a server
 *   restart), behind a timer close() leaves running. A fresh full-jitter draw, held while offline,
 *   is made here instead.
 * - the constructor it is given never throws and never gets an empty URL (a failed token step):
 *   either would leave its connect lock held for good. Such an attempt becomes a socket that
 *   closes with 1006, failed like any other.
 * - it reports a socket it dropped (an error, a timeout) as a clean 1000 of its own: that is 1006.
 * - reconnect() while it waits for a URL would reset its count under an attempt already counted
 *   (two attempts back to back): a fresh instance is made instead.
 * Its count and the client's (`attempts`, from 1, for the log and the backoff) are one count.
 */
export function openSocket(config: SocketConfig, on: SocketEvents): SocketHandle {
  const { reconnect, log } = config;
  const options = {
    WebSocket: Guarded,
    connectionTimeout: reconnect.connectTimeout,
    minUptime: reconnect.minUptime,
    maxRetries: config.once ? 0 : reconnect.maxRetries,
    minReconnectionDelay: 0,
    maxReconnectionDelay: 0,
  };
  let rws: ReconnectingWebSocket;
  // Attempts since the last connection that stayed up `minUptime`, that connection counted as one.
  let attempts = 0;
  // Whether the one retry after a fatal code was spent; a connection that stays up earns it back.
  let fatalRetried = false;
  let stopped = false;
  // The latest socket opened, until it closes.
  let socket: WebSocket | undefined;
  // Drawn at each close: the wait before the next attempt.
  let wait = 0;
  // The wait before an attempt, then its token step's timeout.
  let timer: ReturnType<typeof setTimeout> | undefined;
  let uptimeTimer: ReturnType<typeof setTimeout> | undefined;
  // Set while waiting: starts the attempt now. The `online` event calls it through nudge().
  let start: (() => void) | undefined;

  function Guarded(url: string): WebSocket {
    try {
      if (url) {
        const ws = (socket = new config.WebSocket(url));
        // reconnecting-websocket removes its listeners before closing a socket it drops; the `ws`
        // package then emits an `error` with no listener, which Node throws.
        ws.addEventListener('error', () => {});
        return ws;
      }
    } catch (error) {
      on.error(new TaskClientError('socket', `socket: could not open (${(error as Error)?.message ?? error})`));
    }
    // CLOSED, so reconnecting-websocket never calls close() or send() on it.
    const failed = Object.assign(new EventTarget(), { readyState: 3 });
    // Once reconnecting-websocket has added its listeners, which it does right after constructing.
    queueMicrotask(() => failed.dispatchEvent(Object.assign(new Event('close'), { code: 1006, reason: '', wasClean: false })));
    return failed as unknown as WebSocket;
  }
  // reconnecting-websocket checks CLOSING to recognise a WebSocket class.
  Guarded.CLOSING = 2;

  const open = (): void => {
    const self = (rws = new ReconnectingWebSocket(
      () =>
        new Promise<string>((resolve) => {
          if (stopped || self !== rws) return resolve('');
          attempts++;
          const go = (start = (): void => {
            clearTimeout(timer);
            if (stopped || !config.isOnline()) return;
            start = undefined;
            let settled = false;
            const settle = (url: string, error?: TaskClientError): void => {
              if (settled || stopped || self !== rws) return;
              settled = true;
              clearTimeout(timer);
              if (error) on.error(error);
              // A debug function may close the client here: reconnecting-websocket opens nothing after close().
              else log?.({ event: 'connect', url, attempt: attempts });
              resolve(url);
            };
            timer = setTimeout(() => settle('', tokenTimeout(reconnect.connectTimeout)), reconnect.connectTimeout);
            config.url().then(settle, (error: TaskClientError) => settle('', error));
          });
          // reconnecting-websocket has waited a tick already.
          if (wait) timer = setTimeout(go, wait);
          else go();
        }),
      undefined,
      options,
    ));
    self.binaryType = 'arraybuffer';
    self.addEventListener('open', () => {
      uptimeTimer = setTimeout(() => {
        // reconnecting-websocket counts this connection as the first attempt again.
        attempts = 1;
        fatalRetried = false;
        options.maxRetries = reconnect.maxRetries;
      }, reconnect.minUptime);
      log?.({ event: 'open' });
      on.open();
    });
    self.addEventListener('message', (event) => on.message(event.data));
    self.addEventListener('close', (event) => {
      socket = undefined;
      clearTimeout(uptimeTimer);
      const failed = event.target === self && event.reason !== 'restart';
      const code = failed ? 1006 : event.code;
      const closed = { event: 'close', code, reason: event.reason, wasClean: !failed && event.wasClean } as const;
      if (stopped) return log?.({ ...closed, noRetry: 'client' });
      let fatal = FATAL_CLOSE_CODES.includes(code);
      // The server may have refused a token that has expired since: a token function gets one more
      // try (as centrifuge asks getToken again), a fixed token cannot change.
      if (fatal && config.freshToken && !fatalRetried) {
        fatalRetried = true;
        fatal = false;
      }
      // reconnecting-websocket has stopped already.
      const exhausted = attempts > options.maxRetries;
      // Back to the first step after a connection that stayed up, not to zero: zero means "go at
      // once", and clients dropped together by a server restart would all come back in the same instant.
      wait = attempts && backoffDelay(attempts, reconnect);
      log?.({ ...closed, ...(fatal || exhausted ? { noRetry: fatal ? 'fatal-code' : 'max-retries' } : { retryIn: Math.round(wait) }) });
      if (fatal) stop();
      on.close(code, fatal);
      // A listener may have closed the client, or restarted the socket.
      if (exhausted && !stopped && self === rws) {
        stop();
        on.exhausted(attempts);
      }
    });
  };

  function stop(): void {
    stopped = true;
    start = undefined;
    clearTimeout(timer);
    clearTimeout(uptimeTimer);
    rws.close();
  }

  open();
  return {
    nudge: () => start?.(),
    restart: () => {
      if (stopped) return;
      attempts = wait = 0;
      if (socket) return rws.reconnect(1000, 'restart');
      rws.close();
      clearTimeout(timer);
      start = undefined;
      open();
    },
    close: stop,
  };
}
