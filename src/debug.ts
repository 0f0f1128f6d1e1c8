import type { ConnectionState } from './types';

/** Why a closed socket does not try again: a refusing close code, `reconnect.maxRetries`, or `close()` (or the page leaving). */
export type NoRetry = 'fatal-code' | 'max-retries' | 'client';

/** What changed in the page: visibility, connectivity, and the back/forward cache (`leave` on `pagehide`, `restore` on `pageshow` from it). */
export type PageChange = 'hidden' | 'shown' | 'offline' | 'online' | 'leave' | 'restore';

/** One thing the client did or saw, without its time and message. Times are in ms. */
export type DebugEvent =
  /** A socket attempt; `url` with the token redacted; `attempt` counts from 1 since the socket last stayed up. */
  | { event: 'connect'; url: string; attempt: number }
  | { event: 'open' }
  /** Either `retryIn` (the wait drawn before the next attempt) or `noRetry`. */
  | { event: 'close'; code: number; reason: string; wasClean: boolean; retryIn?: number; noRetry?: NoRetry }
  | { event: 'state'; from: ConnectionState; to: ConnectionState }
  /** A poll request sent (one per page of a `?since=` poll). */
  | { event: 'poll'; url: string }
  /** A poll answered 200 (`items` in it, `changes` they made; one entry per page of a `?since=` poll), or 304 or 410 (both 0). */
  | { event: 'poll-answer'; status: number; items: number; changes: number }
  /** Every failed poll, also those `on('error')` does not hear of again. */
  | { event: 'poll-error'; status?: number; error: string }
  /** A live socket was silent `silentFor` ms; the check poll found `missed` changes (more than 0: the socket is restarted). */
  | { event: 'stale'; silentFor: number; missed: number }
  | { event: 'page'; change: PageChange }
  /**
   * The lines Flowrra's WebSocket guide tells users to look for, written alone (`console.log`):
   * the socket opened; an open socket dropped, the client polling meanwhile or, with nothing to
   * poll, waiting for the socket.
   */
  | { event: 'WS connected' | 'WS disconnected → enabling polling' | 'WS disconnected' };

/**
 * An entry of the `debug` option: `at` is `Date.now()`, `message` the same fields on one line
 * (`close code=1006 reason="" wasClean=false retryIn=412`). No token, in any encoding.
 */
export type DebugEntry = DebugEvent & { at: number; message: string };

/** What the client's parts call; undefined when `debug` is off, so `log?.({...})` builds nothing then. */
export type Log = (event: DebugEvent) => void;

/**
 * The sink of the `debug` option. Every string field goes through `redact`; a sink that throws is
 * handed to `threw`, and the client carries on.
 */
export function createLog(debug: boolean | ((entry: DebugEntry) => void) | undefined, redact: (text: string) => string, threw: (error: unknown) => void): Log | undefined {
  if (!debug) return undefined;
  const sink =
    typeof debug === 'function'
      ? debug
      : (entry: DebugEntry) =>
          entry.event[0] == 'W' ? console.log(entry.message) : console.debug(`flowrra-client: ${entry.message}`);
  return (event) => {
    const entry = { at: Date.now(), ...event } as Record<string, unknown>;
    let message: string = event.event;
    for (const key in event) {
      const value = entry[key];
      if (typeof value === 'string') entry[key] = redact(value);
      if (key !== 'event' && value !== undefined) message += ` ${key}=${JSON.stringify(entry[key])}`;
    }
    entry.message = message;
    try {
      sink(entry as DebugEntry);
    } catch (error) {
      threw(error);
    }
  };
}
