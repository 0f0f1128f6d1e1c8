/** A WebSocket constructor: the browser's, or `ws` in Node. */
export interface WebSocketLike {
  new (url: string, protocols?: string | string[]): WebSocket;
  readonly CLOSING: number;
}

/** Where a token comes from: a fixed string, or a function asked again before every connect and poll. */
export type TokenSource = string | (() => string | null | undefined | Promise<string | null | undefined>);

/** How the socket reconnects. Delays use full jitter: each wait is a fresh random draw in `[0, min(maxDelay, minDelay * factor^(attempt-1))]`. */
export interface ReconnectOptions {
  /**
   * Upper bound of the first jittered wait, in ms.
   * @default 500
   */
  minDelay?: number;
  /**
   * Largest upper bound a wait can reach, in ms.
   * @default 20000
   */
  maxDelay?: number;
  /**
   * Growth of the upper bound per failed attempt.
   * @default 2
   */
  factor?: number;
  /**
   * Attempts after which the socket gives up (the client keeps polling if it can).
   * @default Infinity
   */
  maxRetries?: number;
  /**
   * A socket not open after this many ms counts as failed; polling starts then.
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
   * The Flowrra mount: absolute (`https://host:8443/flowrra`) or a path resolved against `location`.
   * @default '/flowrra'
   */
  url?: string;
  /**
   * The socket URL. `ws:`/`wss:` is used as is, `http:`/`https:` is converted, a path is resolved against the page.
   * `false`: the server has no socket (a plain WSGI app such as Flask); the client polls from the start,
   * stays in state `polling` and reports nothing about sockets.
   * @default `${url}/ws`
   */
  wsUrl?: string | false;
  /**
   * The polling endpoint, or `false` for no polling.
   * @default `${url}/api/results`
   */
  pollUrl?: string | false;
  /**
   * Time between polls while the socket is down, in ms.
   * @default 15000
   */
  pollInterval?: number;
  /**
   * A poll not answered within this many ms is aborted and reported.
   * @default 10000
   */
  pollTimeout?: number;
  /**
   * While live, a socket silent for this many ms triggers a reconcile poll; if that poll finds
   * changes the socket missed, the socket is treated as dead and reconnected. `0` turns it off.
   * @default 45000
   */
  staleAfter?: number;
  /** Reconnect timing; see {@link ReconnectOptions}. */
  reconnect?: ReconnectOptions;
  /**
   * Sent as the `token` query parameter on the socket and as `Authorization: Bearer` on polls.
   * A function is called again before every connect and poll.
   * @default undefined
   */
  token?: TokenSource;
  /**
   * The WebSocket implementation (Node 20 has none: pass `ws`).
   * @default globalThis.WebSocket
   */
  WebSocket?: WebSocketLike;
  /**
   * The fetch implementation used for polling.
   * @default globalThis.fetch
   */
  fetch?: typeof fetch;
  /**
   * `true`: connect on the first `subscribe()` instead of at creation.
   * @default false
   */
  lazy?: boolean;
  /**
   * Most tasks kept; past it, finished tasks are evicted oldest first.
   * @default 10000
   */
  maxTasks?: number;
  /**
   * Frames larger than this many bytes are rejected before `JSON.parse`.
   * @default 1048576
   */
  maxFrameBytes?: number;
  /**
   * Extra headers for poll requests.
   * @default {}
   */
  headers?: Record<string, string>;
  /**
   * `credentials` for poll requests.
   * @default 'same-origin'
   */
  credentials?: RequestCredentials;
}
