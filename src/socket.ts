import { backoffDelay, type ReconnectConfig } from './backoff';
import type { Log } from './debug';
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
  log?: Log;
}

/**
 * The reconnect loop: wait (a fresh jittered draw, or until the browser is online), ask for the URL
 * (the token is read anew), open, and on any close go round again, until close(), a fatal code or
 * the attempts allowed run out. Only the latest socket is listened to: one dropped by a restart
 * or a connect timeout closes on its own time and is ignored. Its listeners stay on, so the `ws`
 * package never emits an `error` with no listener (which Node would throw).
 */
export function openSocket(config: SocketConfig, on: SocketEvents): SocketHandle {
  const { reconnect, log } = config;
  const budget = reconnect.maxRetries + 1;
  let attempts = 0; // attempts since the socket last stayed up `minUptime`, that connection counted as one
  let allowed = config.once ? 1 : budget;
  // Whether the one retry after a fatal code was spent; a connection that stays up earns it back.
  let fatalRetried = false;
  let stopped = false;
  let socket: WebSocket | undefined;
  // The wait before an attempt, then that attempt's connect timeout.
  let timer: ReturnType<typeof setTimeout> | undefined;
  let uptimeTimer: ReturnType<typeof setTimeout> | undefined;
  // Set while waiting: starts the attempt now. The `online` event calls it through nudge().
  let go: (() => void) | undefined;

  const attempt = (delay: number): void => {
    if (attempts >= allowed) {
      stop();
      return on.exhausted(attempts);
    }
    attempts++;
    const start = (go = (): void => {
      clearTimeout(timer);
      if (stopped || go !== start || !config.isOnline()) return;
      go = undefined;
      config.url().then(
        (url) => {
          if (!stopped && !go && !socket) connect(url);
        },
        (error: TaskClientError) => {
          if (stopped) return;
          on.error(error);
          closed(1006, '', false);
        },
      );
    });
    timer = setTimeout(start, delay);
  };

  const connect = (url: string): void => {
    log?.({ event: 'connect', url, attempt: attempts });
    let ws: WebSocket;
    try {
      ws = socket = new config.WebSocket(url);
    } catch (error) {
      on.error(new TaskClientError('socket', `socket: could not open (${(error as Error)?.message ?? error})`));
      return closed(1006, '', false);
    }
    ws.binaryType = 'arraybuffer';
    let failed = false;
    // A handshake that hangs is dropped and counted as a failed attempt.
    timer = setTimeout(() => drop(1006, 'timeout', false), reconnect.connectTimeout);
    ws.addEventListener('open', () => {
      if (ws !== socket) return;
      clearTimeout(timer);
      // Back to the first step, not to zero: zero means "go at once", and clients dropped together
      // by a server restart would all come back in the same instant.
      uptimeTimer = setTimeout(() => {
        attempts = 1;
        allowed = budget;
        fatalRetried = false;
      }, reconnect.minUptime);
      log?.({ event: 'open' });
      on.open();
    });
    ws.addEventListener('message', (event) => ws === socket && on.message(event.data));
    // Browsers follow an `error` with a close that says 1006 anyway; some WebSocket
    // implementations do not, so the failure is remembered for the close.
    ws.addEventListener('error', () => (failed = true));
    ws.addEventListener('close', (event) => {
      if (ws !== socket) return;
      socket = undefined;
      closed(failed ? 1006 : event.code, event.reason, !failed && event.wasClean);
    });
  };

  // Drops the current socket and goes on as if it had closed.
  const drop = (code: number, reason: string, wasClean: boolean): void => {
    const ws = socket;
    socket = undefined;
    ws?.close();
    closed(code, reason, wasClean);
  };

  const closed = (code: number, reason: string, wasClean: boolean): void => {
    clearTimeout(timer);
    clearTimeout(uptimeTimer);
    if (stopped) return log?.({ event: 'close', code, reason, wasClean, noRetry: 'client' });
    let fatal = FATAL_CLOSE_CODES.includes(code);
    // The server may have refused a token that has expired since: a token function gets one more
    // try (as centrifuge asks getToken again), a fixed token cannot change.
    if (fatal && config.freshToken && !fatalRetried) {
      fatalRetried = true;
      fatal = false;
    }
    const wait = fatal || attempts >= allowed ? undefined : attempts === 0 ? 0 : backoffDelay(attempts, reconnect);
    log?.({ event: 'close', code, reason, wasClean, ...(wait === undefined ? { noRetry: fatal ? 'fatal-code' : 'max-retries' } : { retryIn: Math.round(wait) }) });
    if (fatal) stop();
    on.close(code, fatal);
    // A listener may have closed the client, or restarted the socket.
    if (!fatal && !stopped && !go && !socket) attempt(wait ?? 0);
  };

  function stop(): void {
    if (stopped) return;
    stopped = true;
    go = undefined;
    clearTimeout(timer);
    clearTimeout(uptimeTimer);
    socket?.close();
  }

  attempt(0);
  return {
    nudge: () => go?.(),
    restart: () => {
      if (stopped) return;
      attempts = 0;
      if (socket) drop(1000, 'restart', true);
      else go?.();
    },
    close: stop,
  };
}
