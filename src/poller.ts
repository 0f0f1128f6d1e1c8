import type { Log } from './debug';
import { TaskClientError } from './errors';
import { tokenTimeout } from './tokens';
import { withParam } from './url';

/** What the poller reads of the client's config. */
export interface PollerConfig {
  pollUrl: string;
  fetch: typeof fetch;
  pollInterval: number;
  pollTimeout: number;
  headers: Record<string, string>;
  credentials: RequestCredentials;
}

export interface PollerEvents {
  /** The decoded items of a fresh answer, in the server's order; returns how many changed the view. */
  items(items: unknown[], newestFirst: boolean): number;
  error(error: TaskClientError): void;
}

export interface Poller {
  /** Polls now. A request during a poll runs once more after it, never beside it. Resolves to the number of changes. */
  poll(): Promise<number>;
  /** Polls at once, then every `interval` until stop(). */
  start(): void;
  stop(): void;
  /** While paused (page hidden) the interval is held; resume() polls at once if started. */
  setPaused(paused: boolean): void;
  /** Aborts a poll in flight and stops everything for good. */
  close(): void;
}

// Polls refused for authentication, or sent to a server without the endpoint, slow down, doubling up
// to this, so a logged-out tab or a misconfigured page does not knock on the server every interval forever.
const BACKOFF_CAP = 5 * 60_000;
// What a server without the results endpoint answers: plain Flowrra has none.
const NO_ENDPOINT_STATUSES = [404, 405, 501];
const REFUSED_STATUSES = [401, 403, ...NO_ENDPOINT_STATUSES];
// Pages of a `?since=` answer followed in one poll: twice the index bound of flowrra_live at its
// default limit. A server still saying More after that is left for the next poll, where the cursor
// kept resumes it; nothing is skipped.
const MAX_PAGES = 100;

/** `token` resolves to the bearer token, or nothing; a rejection fails the poll, reported like any failure. */
export function createPoller(config: PollerConfig, token: () => Promise<string | undefined>, log: Log | undefined, on: PollerEvents): Poller {
  let etag: string | null = null;
  // The position of the newest change applied (X-Flowrra-Cursor): later polls ask only what changed
  // after it. Null until the server sends one, and after a 410: the full answer, as without cursors.
  let cursor: string | null = null;
  let running: Promise<number> | undefined;
  let queued: Promise<number> | undefined;
  let controller: AbortController | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let active = false;
  let paused = false;
  let closed = false;
  let refusals = 0;
  // A run of identical failures is reported once: the state already says polling, and an error
  // every interval would only bury the first one.
  let lastFailure: string | undefined;

  function poll(): Promise<number> {
    if (closed) return Promise.resolve(0);
    if (!running) {
      running = request().finally(() => (running = undefined));
      return running;
    }
    return (queued ??= running.then(() => {
      queued = undefined;
      return poll();
    }));
  }

  async function request(): Promise<number> {
    const abort = (controller = new AbortController());
    let timedOut = false;
    let timeout: ReturnType<typeof setTimeout> | undefined;
    let changes = 0;
    // Each page of a paged poll has its own pollTimeout; the first page's also bounds the token step.
    const arm = (): void => {
      clearTimeout(timeout);
      timeout = setTimeout(() => {
        timedOut = true;
        abort.abort();
      }, config.pollTimeout);
    };
    arm();
    try {
      const headers: Record<string, string> = { Accept: 'application/json', ...config.headers };
      // A token step that hangs ends with the poll's timeout, or every later poll would queue behind it.
      const bearer = await Promise.race([token(), new Promise<never>((_, reject) => abort.signal.addEventListener('abort', () => reject(tokenTimeout(config.pollTimeout))))]);
      if (bearer) headers.Authorization = `Bearer ${bearer}`;
      for (let page = 0; page < MAX_PAGES; page++) {
        const since = cursor;
        const url = withParam(config.pollUrl, 'since', since);
        log?.({ event: 'poll', url });
        if (page) arm();
        const response = await config.fetch(url, {
          headers: etag ? { ...headers, 'If-None-Match': etag } : headers,
          credentials: config.credentials,
          signal: abort.signal,
        });
        // Nothing new for what was applied: a cursor moved past no-op changes is still safe to take.
        if (response.status === 304) {
          cursor = response.headers.get('X-Flowrra-Cursor') ?? cursor;
          return changes + answered(304);
        }
        const body = await response.text();
        // The server no longer holds what changed after this cursor: the full answer, as on the first poll.
        if (response.status === 410 && since) {
          answered(410);
          cursor = etag = null;
          continue;
        }
        if (!response.ok) return failed(httpError(response.status, body, config.pollUrl));
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch {
          const type = response.headers.get('Content-Type');
          return failed(new TaskClientError('poll', `poll: HTTP ${response.status} answer is not JSON (${type})`, { raw: body, status: response.status }));
        }
        const items = Array.isArray(json) ? json : (json as { tasks?: unknown } | null)?.tasks;
        if (!Array.isArray(items)) {
          return failed(new TaskClientError('validation', 'poll: expected an array of tasks or { "tasks": [...] }', { raw: body }));
        }
        etag = response.headers.get('ETag');
        // A since-answer comes oldest change first, the full answer newest first.
        changes += answered(200, items.length, on.items(items, !since));
        cursor = response.headers.get('X-Flowrra-Cursor');
        // A server saying More without moving the cursor would have this loop ask the same page again.
        if (!since || cursor === since || response.headers.get('X-Flowrra-More') !== '1') break;
      }
      return changes;
    } catch (error) {
      if (closed) return 0;
      if ((error as TaskClientError).kind === 'token') return failed(error as TaskClientError);
      const why = timedOut ? `no answer within ${config.pollTimeout} ms` : `request failed (${(error as Error)?.message ?? error})`;
      return failed(new TaskClientError('poll', `poll: ${why}`, { cause: error }));
    } finally {
      clearTimeout(timeout);
      if (controller === abort) controller = undefined;
    }
  }

  function answered(status: number, items = 0, changes = 0): number {
    log?.({ event: 'poll-answer', status, items, changes });
    refusals = 0;
    lastFailure = undefined;
    return changes;
  }

  function failed(error: TaskClientError): number {
    log?.({ event: 'poll-error', status: error.status, error: error.message });
    if (REFUSED_STATUSES.includes(error.status!)) refusals++;
    // The message names the kind of failure and the status: equal messages are the same failure.
    if (closed || error.message === lastFailure) return 0;
    lastFailure = error.message;
    on.error(error);
    return 0;
  }

  function tick(): void {
    timer = undefined;
    if (!active || paused) return;
    poll().then(() => {
      if (active && !paused && timer === undefined) timer = setTimeout(tick, Math.min(config.pollInterval * 2 ** refusals, Math.max(config.pollInterval, BACKOFF_CAP)));
    });
  }

  function hold(): void {
    clearTimeout(timer);
    timer = undefined;
  }

  return {
    poll,
    start() {
      if (active || closed) return;
      active = true;
      tick();
    },
    stop() {
      active = false;
      hold();
    },
    setPaused(next) {
      if (next === paused) return;
      paused = next;
      hold();
      if (!paused) tick();
    },
    close() {
      closed = true;
      active = false;
      hold();
      controller?.abort();
    },
  };
}

function httpError(status: number, body: string, url: string): TaskClientError {
  const why =
    status === 401 || status === 403
      ? 'authentication failed; check the token or the session'
      : NO_ENDPOINT_STATUSES.includes(status)
        ? `the server has no results endpoint at ${url}; add flowrra_live to the Flowrra app${url.startsWith(globalThis.location?.origin + '/') ? ' (or proxy it from a dev server)' : ''}: ` +
          'https://github.com/flowrra/flowrra-client#use-with-flowrra'
        : 'the server answered with an error';
  return new TaskClientError('poll', `poll: HTTP ${status}: ${why}`, { raw: body, status });
}
