/**
 * A Flowrra server inside your tests (`flowrra-client/testing`), built on msw: the task socket at
 * `<url>/ws` and the results endpoint at `<url>/api/results`, speaking the exact wire format
 * (Python `json.dumps` text frames, Flowrra's key order, naive timestamps).
 *
 * ```ts
 * import { setupServer } from 'msw/node';
 * import { createTaskClient } from 'flowrra-client';
 * import { createFlowrraMock, waitForState } from 'flowrra-client/testing';
 *
 * const flowrra = createFlowrraMock({ url: 'http://localhost/flowrra' });
 * const server = setupServer(...flowrra.handlers);
 * beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
 * afterEach(() => flowrra.reset());
 * afterAll(() => server.close());
 *
 * it('shows a finished task', async () => {
 *   const client = createTaskClient({ url: flowrra.url });  // after listen(): it captures WebSocket and fetch
 *   await waitForState(client, 'live');
 *   const { task_id } = flowrra.submit({ task_name: 'send_email' });
 *   flowrra.update(task_id, { status: 'running' });
 *   flowrra.update(task_id, { status: 'success', result: { sent: true } });
 *   await vi.waitFor(() => expect(client.tasks.get(task_id)?.status).toBe('success'));
 *   client.close();
 * });
 * ```
 *
 * In Node, msw needs a global `WebSocket` to intercept (Node 22+, or Node 20 with
 * `NODE_OPTIONS=--experimental-websocket`). The control methods mirror the reference server's
 * (`flowrra-client/server`), so a test can move from one to the other.
 */
import { http, HttpResponse, ws, type RequestHandler, type WebSocketHandler, type WebSocketHandlerConnection } from 'msw';
import type { ConnectionState, Task, TaskClient, TaskEventType } from '../src/index';
import { createClock } from '../server/clock';
import { completeTask, formatFrame } from '../server/format';
import { pyDumps } from '../server/pyjson';
import { answerResults } from '../server/results';
import { ResultsStore } from '../server/store';
import type { FlowrraControls } from '../server/types';
import { resolveEndpoints, type PageLocation } from '../src/url';

/** A task to send: anything but `task_id` may be left out and gets Flowrra's default (null, 0, [], {}). */
export type TaskInput = Partial<Task> & { task_id: string };

export interface FlowrraMockOptions {
  /**
   * The Flowrra mount. A path is resolved against `location` (jsdom), else `http://localhost`.
   * @default '/flowrra'
   */
  url?: string;
  /** Results the server already holds: polls return them, the socket does not send them. */
  tasks?: TaskInput[];
}

/** `refuseUpgrades` closes new sockets (1006) before they open; `failPolls` answers `{"detail": ...}`. */
export interface FlowrraMock extends FlowrraControls<Task> {
  /** The resolved mount, to pass as the client's `url`. */
  readonly url: string;
  /** Give these to `setupServer` / `setupWorker` (or `server.use`). */
  readonly handlers: ReadonlyArray<RequestHandler | WebSocketHandler>;
  /**
   * A complete task in Flowrra's key order; not stored or sent. Defaults: a random UUID `task_id`,
   * `pending`, `task_name` `'demo_task'`, `submitted_at` now (for `pending`).
   */
  task(spec?: Partial<Task>): Task;
  /** `emit`s a new `pending` task built by {@link FlowrraMock.task}. Returns it. */
  submit(spec?: Partial<Task>): Task;
  /**
   * Stores the task (for `task.delete`: removes it) and sends it to every open socket as one text
   * frame. Missing keys are filled in. Returns the task as sent.
   */
  emit(event: { type: TaskEventType; task: TaskInput }): Task;
  /**
   * The next frame of a stored task, as Flowrra's worker writes it: `submitted_at`, `args` and
   * `kwargs` are null/[]/{} after `pending`; a status change to `running` stamps `started_at`, to
   * `success`/`failed` stamps `finished_at`, to `retrying` adds one to `retries`. `patch` wins over
   * all of that. Throws for an unknown `taskId`.
   */
  update(taskId: string, patch: Partial<Task>): Task;
  /** Sends `data` as is to every open socket, e.g. a malformed frame. Not stored. */
  sendRaw(data: string | ArrayBuffer | Blob): void;
  /**
   * Closes every open socket with `code` (1006, as a vanished server, by default; 4401/4403/1008
   * are the client's "not authorised" codes). Returns how many were closed. Clients reconnect
   * unless {@link FlowrraMock.refuseUpgrades} is on.
   */
  dropConnections(code?: number, reason?: string): number;
  /** Resolves once a socket is open (at once if one is). */
  connected(): Promise<void>;
  /** Drops the sockets and forgets the tasks, counters and failure switches (call in `afterEach`). */
  reset(): void;
}

type Socket = WebSocketHandlerConnection['client'];

// The SDK's Task admits any status string; the reference server's formatter and store are typed
// for the five Flowrra statuses. The shapes are the same on the wire.
const complete = completeTask as unknown as (task: TaskInput) => Task;
const frame = formatFrame as unknown as (event: { type: TaskEventType; task: TaskInput }) => string;
type Results = Omit<ResultsStore, 'apply' | 'newest'> & { apply(task: Task): void; newest(): Task[] };
const newStore = () => new ResultsStore(Infinity) as unknown as Results;

const FINISHED = new Set(['success', 'failed']);

/** A mocked Flowrra server for msw. Each call is independent: its own store, sockets and counters. */
export function createFlowrraMock(options: FlowrraMockOptions = {}): FlowrraMock {
  const page = (globalThis as { location?: PageLocation }).location;
  const mount = new URL(options.url ?? '/flowrra', page?.href ?? 'http://localhost').href.replace(/\/+$/, '');
  // The client's own URL rules (a query string kept, slashes collapsed); msw matches without the query.
  const endpoints = resolveEndpoints({ url: mount }, page);
  const withoutQuery = (url: string) => url.replace(/[?#].*$/, '');
  const socketUrl = withoutQuery(endpoints.wsUrl as string);
  const resultsUrl = withoutQuery(endpoints.pollUrl as string);
  const now = createClock();

  // A new store per reset(): its own epoch, so no ETag or cursor from before still matches.
  let store = newStore();
  const open = new Set<Socket>();
  let waiters: (() => void)[] = [];
  let refusing = false;
  let failStatus: number | null = null;
  let upgrades = 0;
  let polls = 0;

  const keep = (task: Task, type: TaskEventType) => {
    if (type === 'task.delete') store.delete(task.task_id);
    else store.apply(task);
  };

  const link = ws.link(socketUrl);
  const socketHandler = link.addEventListener('connection', ({ client }) => {
    upgrades += 1;
    if (refusing) return client.close(1006, 'refused by the mock');
    open.add(client);
    client.addEventListener('close', () => open.delete(client));
    const ready = waiters;
    waiters = [];
    ready.forEach((resolve) => resolve());
  });

  const resultsHandler = http.get(resultsUrl, ({ request }) => {
    polls += 1;
    if (failStatus !== null) {
      return new HttpResponse(pyDumps({ detail: 'Simulated failure' }), {
        status: failStatus,
        headers: { 'Content-Type': 'application/json' },
      });
    }
    const answer = answerResults(store as unknown as ResultsStore, new URL(request.url).searchParams, request.headers.get('If-None-Match'));
    return new HttpResponse(answer.body, { status: answer.status, headers: answer.headers });
  });

  const seed = () => options.tasks?.forEach((task) => keep(complete(task), 'task.update'));
  seed();

  const mock: FlowrraMock = {
    url: mount,
    handlers: [socketHandler, resultsHandler],
    task(spec = {}) {
      const pending = spec.status === undefined || spec.status === 'pending';
      return complete({
        task_id: globalThis.crypto.randomUUID(),
        task_name: 'demo_task',
        submitted_at: pending ? now() : null,
        ...spec,
      });
    },
    submit(spec) {
      return mock.emit({ type: 'task.update', task: mock.task(spec) });
    },
    emit(event) {
      const task = complete(event.task);
      keep(task, event.type);
      const text = frame({ type: event.type, task });
      open.forEach((client) => client.send(text));
      return task;
    },
    update(taskId, patch) {
      const previous = store.newest().find((task) => task.task_id === taskId);
      if (!previous) throw new Error(`flowrra mock: no task ${JSON.stringify(taskId)}; submit() or emit() it first`);
      const next: Task = { ...previous, submitted_at: null, args: [], kwargs: {} };
      const status = patch.status;
      if (status !== undefined && status !== previous.status) {
        if (status === 'running') next.started_at = now();
        if (FINISHED.has(status)) next.finished_at = now();
        if (status === 'retrying') next.retries = (previous.retries ?? 0) + 1;
      }
      return mock.emit({ type: 'task.update', task: { ...next, ...patch } });
    },
    sendRaw(data) {
      open.forEach((client) => client.send(data));
    },
    dropConnections(code = 1006, reason) {
      const closing = [...open];
      open.clear();
      closing.forEach((client) => client.close(code, reason));
      return closing.length;
    },
    refuseUpgrades(on) {
      refusing = on;
    },
    failPolls(status) {
      failStatus = status;
    },
    results: () => store.newest(),
    connections: () => open.size,
    upgrades: () => upgrades,
    polls: () => polls,
    connected: () => (open.size > 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve))),
    reset() {
      mock.dropConnections(1001, 'mock reset');
      store = newStore();
      refusing = false;
      failStatus = null;
      upgrades = 0;
      polls = 0;
      seed();
    },
  };
  return mock;
}

/**
 * Resolves when `client.state` is `state` (at once if it already is). Rejects after `timeout` ms
 * with the state it was stuck in, which says more than a test timeout.
 */
export function waitForState(client: TaskClient, state: ConnectionState, timeout = 5000): Promise<void> {
  if (client.state === state) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`waitForState: still "${client.state}" after ${timeout} ms, waiting for "${state}"`));
    }, timeout);
    const off = client.on('state', (next) => {
      if (next !== state) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}
