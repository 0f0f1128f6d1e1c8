import type { DebugEntry } from './debug';
import type { ShareConnection } from './share/group';

/**
 * A WebSocket constructor: the browser's, or `ws`'s in Node (`import { WebSocket } from 'ws'`, passed as
 * it is). Only its arguments are typed: `ws`'s socket is not the DOM's `WebSocket` type (it sends the
 * same events), and a project without the DOM lib has no such type. Exported as `WebSocketLike`.
 */
export interface WebSocketConstructor {
  new (url: string, protocols?: string | string[]): object;
}

/** The same constructor as the socket drives it, with the DOM's events. */
export type WebSocketLike = new (url: string, protocols?: string | string[]) => WebSocket;

/** What the poller reads of a fetch answer: the global `Response` has it. */
export interface ResponseLike {
  readonly status: number;
  readonly ok: boolean;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/** Where a token comes from: a fixed string, or a function asked again before every connect and poll. */
export type TokenSource = string | (() => string | null | undefined | Promise<string | null | undefined>);

/**
 * How the socket reconnects. Delays use full jitter: each wait is a fresh random draw in
 * `[0, min(maxDelay, minDelay * factor^(attempt-1))]`. Every time is in ms, at most 2^31-1
 * (what `setTimeout` can hold).
 */
export interface ReconnectOptions {
  /**
   * Upper bound of the first jittered wait, in ms; above 0. The default spreads clients dropped
   * together by a server restart over 0.8 s: under a fifth of them return in any 100 ms, half of
   * them within 0.4 s.
   * @default 800
   */
  minDelay?: number;
  /**
   * Largest upper bound a wait can reach, in ms; at least `minDelay`.
   * @default 20000
   */
  maxDelay?: number;
  /**
   * Growth of the upper bound per failed attempt.
   * @default 2
   */
  factor?: number;
  /**
   * Retries after which the socket gives up: it makes 1 + maxRetries attempts in a row, reports a
   * `socket` error and stops (the client keeps polling if it can; `reconnect()` starts it again).
   * @default Infinity
   */
  maxRetries?: number;
  /**
   * A socket not open after this many ms counts as failed; polling starts then. An attempt's token
   * step gets as long again before the attempt fails with a `token` error.
   * @default 4000
   */
  connectTimeout?: number;
  /**
   * The attempt counter resets only after the socket stayed open this long, in ms,
   * so a server that accepts and drops at once still backs off.
   * @default 5000
   */
  minUptime?: number;
}

export interface TaskClientOptions {
  /**
   * The Flowrra mount: absolute (`https://host:8443/flowrra`) or a path resolved against `location`;
   * a string or a `URL`.
   * @default '/flowrra'
   */
  url?: string | { readonly href: string };
  /**
   * The socket URL. `ws:`/`wss:` is used as is, `http:`/`https:` is converted, a path is resolved against the page.
   * `false`: the server has no socket (a plain WSGI app such as Flask); the client polls from the start,
   * stays in state `polling` and reports nothing about sockets.
   * @default `${url}/ws`
   */
  wsUrl?: string | { readonly href: string } | false;
  /**
   * The polling endpoint, or `false` for no polling.
   * @default `${url}/api/results`
   */
  pollUrl?: string | { readonly href: string } | false;
  /**
   * Time between polls while the socket is down, in ms.
   * @default 15000
   */
  pollInterval?: number;
  /**
   * A poll not answered within this many ms, its token step included, is aborted and reported
   * (a token function that has not settled by then: a `token` error).
   * @default 10000
   */
  pollTimeout?: number;
  /**
   * While live, a socket silent for this many ms triggers a reconcile poll; if that poll finds
   * changes the socket missed, the socket is treated as dead and reconnected. `0` turns it off;
   * with `pollUrl: false` there is nothing to check with, and it does nothing.
   * @default 45000
   */
  staleAfter?: number;
  /** Reconnect timing; see {@link ReconnectOptions}. */
  reconnect?: ReconnectOptions;
  /**
   * Sent as the `token` query parameter on the socket and as `Authorization: Bearer` on polls.
   * A function is called again before every connect and poll; when it throws, no connection is
   * made without the token: an `auth` error, and the socket tries again after its backoff wait
   * (a poll fails and is retried at the next interval). After a fatal close code (1008, 4401,
   * 4403) a function is asked once more for a fresh token before the socket stops.
   * @default undefined
   */
  token?: TokenSource;
  /**
   * The WebSocket implementation (Node 20 has none: pass `ws`).
   * @default globalThis.WebSocket
   */
  WebSocket?: WebSocketConstructor;
  /**
   * The fetch implementation used for polling: the global `fetch`, or a function of its shape (the
   * poller also passes an abort `signal`).
   * @default globalThis.fetch
   */
  fetch?(url: string, init: { headers: Record<string, string>; credentials: 'omit' | 'same-origin' | 'include' }): Promise<ResponseLike>;
  /**
   * `true`: connect on the first `subscribe()` instead of at creation, and close the socket and
   * stop polling `lazyCloseTimeout` ms after the last subscriber left (state `idle`); the next
   * `subscribe()` connects again and reconciles.
   * @default false
   */
  lazy?: boolean;
  /**
   * How long a `lazy` client stays connected after its last subscriber left, in ms: long enough
   * for a page that swaps one list component for another (a route change) to keep its socket.
   * @default 3000
   */
  lazyCloseTimeout?: number;
  /**
   * Most tasks kept. Past it one task is evicted per new task, with no event: the oldest
   * finished one (in the order first seen; a poll answer counts oldest first), or, when none is
   * finished, the oldest task. The task just added is never evicted. An evicted task's order key
   * is remembered (for the last max(maxTasks, 1000) evicted or deleted tasks), so a late, older
   * state of it is dropped and the same state again is no change.
   * @default 10000
   */
  maxTasks?: number;
  /**
   * Frames larger than this many bytes are rejected before `JSON.parse`. With `shareConnection`
   * it is the leader's that holds the group's socket: a follower takes every task its leader
   * applied, whatever its size.
   * @default 1048576
   */
  maxFrameBytes?: number;
  /**
   * Extra headers for poll requests. Names are case-insensitive: an `Authorization` given here in
   * any case is replaced by the `Bearer` header when `token` yields one; an `Accept` given here
   * replaces the default `application/json`.
   * @default {}
   */
  headers?: Record<string, string>;
  /**
   * `credentials` for poll requests.
   * @default 'same-origin'
   */
  credentials?: 'omit' | 'same-origin' | 'include';
  /**
   * A record of what the client tries and sees: each connect attempt, open and close (with the
   * wait before the next attempt, or why there is none), state change, poll and its answer, stale
   * check and page change. `true` writes each entry's `message` to `console.debug`; a function
   * receives each {@link DebugEntry}. Entries never hold a token. A function that throws is
   * reported as a `listener` error. Off, it costs nothing: no entry is built.
   * @default false
   */
  debug?: boolean | ((entry: DebugEntry) => void);
  /**
   * One connection for all the tabs of this origin whose clients have the same socket and poll
   * URLs and `shareKey`: one tab, the leader, holds the socket and polls; the others receive every
   * change, state and error from it over a BroadcastChannel, and one of them takes over when it
   * goes (see `role` and docs/many-tabs.md). The leader's token is the one used. Without the Web
   * Locks API or BroadcastChannel (and in Node) the client runs alone, as with `false`.
   * Sharing is an import of its own, so that an app that does not share carries none of it: pass
   * `share` from `flowrra-client/share` (script tag: `FlowrraClientShare.share`, from
   * flowrra-client.share.min.js loaded after flowrra-client.min.js).
   * @default false
   */
  shareConnection?: false | ShareConnection;
  /**
   * Tabs share a connection only when their `shareKey` matches too. When tabs may hold different
   * tokens (two users, two tenants), pass what tells them apart, such as a user id: never the token.
   * @default ''
   */
  shareKey?: string;
}
