import { request, type IncomingMessage } from 'node:http';
import { WebSocket } from 'ws';
import { createTaskClient, type Task, type TaskClient, type TaskClientError, type TaskClientOptions, type TaskEvent } from '../../../src/index';
import { PYTHON, freePort, startGroup, until, type Group, type RedisServer } from './processes';

export type Framework = 'fastapi' | 'quart' | 'django';

const SERVE: Record<Framework, (port: number) => string[]> = {
  fastapi: (port) => ['-m', 'uvicorn', 'fastapi_workers:asgi', '--workers', '2', '--host', '127.0.0.1', '--port', String(port)],
  quart: (port) => ['-m', 'hypercorn', 'quart_workers:asgi', '--workers', '2', '--bind', `127.0.0.1:${port}`],
  // Without lifespan, as under daphne: each worker starts on its first scope.
  django: (port) => ['-m', 'uvicorn', 'django_workers:asgi', '--workers', '2', '--lifespan', 'off', '--host', '127.0.0.1', '--port', String(port)],
};

/** A test app (test/workers/apps) in two worker processes sharing one Redis. */
export interface WorkersApp {
  readonly mount: string;
  readonly pids: number[];
  /** Submits tasks `start … start+count-1` through the test-only route (in whichever worker answers). */
  submit(start: number, count: number): Promise<string[]>;
  /** What the results endpoint serves now. */
  results(): Promise<Task[]>;
  output(): string;
  stop(): Promise<void>;
}

export async function startWorkers(framework: Framework, redis: RedisServer, options: { fanout: boolean; pythonPath: string[] }): Promise<WorkersApp> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const group: Group = startGroup(PYTHON, SERVE[framework](port), options.pythonPath, { REDIS: redis.url, FANOUT: options.fanout ? '1' : '0' });
  // Ready once both workers finished their startup (Flowrra, watchdog, fan-out subscribed). Each
  // ask on a new connection, so that it may reach either worker (and start a Django one).
  const pids = await until(
    async () => {
      const { pids } = JSON.parse(await getFresh(port, '/test/ready')) as { pids: number[] };
      if (pids.length !== 2) throw new Error(`ready: ${pids.length} of 2 workers`);
      return pids;
    },
    20_000,
    group.output,
  );
  return {
    mount: `${origin}/flowrra`,
    pids,
    async submit(start, count) {
      const response = await fetch(`${origin}/test/submit?start=${start}&count=${count}`, { method: 'POST' });
      if (!response.ok) throw new Error(`submit: HTTP ${response.status}`);
      return ((await response.json()) as { task_ids: string[] }).task_ids;
    },
    async results() {
      const response = await fetch(`${origin}/flowrra/api/results?limit=1000`);
      if (!response.ok) throw new Error(`results: HTTP ${response.status}`);
      return (await response.json()) as Task[];
    },
    output: group.output,
    stop: () => group.stop(),
  };
}

function getFresh(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${path}: HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

/** One SDK client, with every delivery, the worker its socket landed on, and each socket it opened. */
export interface Watched {
  readonly client: TaskClient;
  readonly events: TaskEvent[];
  /** For each event, the pid of the worker the client's socket was on when it arrived. */
  readonly socketPidAt: (number | undefined)[];
  readonly errors: TaskClientError[];
  /** The pid of the worker holding the latest socket (from the handshake's x-worker-pid). */
  pid: number | undefined;
  /** Sockets opened: more than one means the client restarted it (after a drop or a stale check). */
  sockets: number;
  /** Poll requests made. */
  polls: number;
  /** Task ids whose final state (success or failed) a frame on any of its sockets carried, whatever the SDK made of it. */
  readonly finalFrames: Set<string>;
}

export function watchClient(mount: string, options: TaskClientOptions = {}): Watched {
  const watched = { events: [], socketPidAt: [], errors: [], pid: undefined, sockets: 0, polls: 0, finalFrames: new Set() } as unknown as Watched & { client: TaskClient };
  class TaggedSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      watched.sockets++;
      this.once('upgrade', (response: IncomingMessage) => {
        watched.pid = Number(response.headers['x-worker-pid']);
      });
      this.on('message', (data) => {
        const { task } = JSON.parse(String(data)) as { task: Task };
        if (FINAL.has(task.status)) watched.finalFrames.add(task.task_id);
      });
    }
  }
  watched.client = createTaskClient({
    url: mount,
    WebSocket: TaggedSocket as never,
    fetch: (input, init) => {
      watched.polls++;
      return fetch(input, init);
    },
    pollInterval: 500,
    reconnect: { minDelay: 50, maxDelay: 400, connectTimeout: 2000 },
    ...options,
  });
  watched.client.subscribe((event) => {
    watched.events.push(event);
    watched.socketPidAt.push(watched.pid);
  });
  watched.client.on('error', (error) => watched.errors.push(error));
  return watched;
}

/**
 * At least `min` live clients, with sockets on every worker: the kernel spreads connections
 * unevenly (8 clients can all land on one worker), so more are opened until both pids are covered.
 */
export async function clientsOnEveryWorker(app: WorkersApp, min: number, options: TaskClientOptions = {}): Promise<Watched[]> {
  const clients: Watched[] = [];
  const covered = () => new Set(clients.map((watched) => watched.pid));
  while (clients.length < min || app.pids.some((pid) => !covered().has(pid))) {
    if (clients.length >= 40) throw new Error(`40 clients, all on worker(s) ${[...covered()].join(', ')}`);
    const watched = watchClient(app.mount, options);
    clients.push(watched);
    await until(
      () => {
        if (watched.client.state !== 'live' || watched.pid === undefined) throw new Error(`client is ${watched.client.state}`);
      },
      10_000,
      app.output,
    );
  }
  return clients;
}

const FINAL = new Set(['success', 'failed']);

/** Resolves once every client holds every task in `ids` in a final state. */
export function allFinal(clients: Watched[], ids: string[], timeout: number, app: WorkersApp): Promise<void> {
  return until(
    () => {
      for (const [index, { client }] of clients.entries()) {
        const open = ids.filter((id) => !FINAL.has(client.tasks.get(id)?.status ?? ''));
        if (open.length) throw new Error(`client ${index}: ${open.length} of ${ids.length} tasks not final`);
      }
    },
    timeout,
    () => app.output().slice(-3000),
  );
}

/** The expected final status of test task `index` (apps/workload.py kind_of). */
export const expectedStatus = (index: number): 'success' | 'failed' => (index % 10 === 0 ? 'failed' : 'success');

/*
 * Independent of the SDK's ordering code: a later delivery of a task never has fewer retries, nor,
 * with the same retries, an earlier phase (pending < retrying < running < finished); nothing
 * follows a final state; and no state is delivered twice.
 */
const PHASE: Record<string, number> = { pending: 0, retrying: 1, running: 2, success: 3, failed: 3 };

export function deliveryProblems(watched: Watched): string[] {
  const problems: string[] = [];
  const last = new Map<string, Task>();
  const seen = new Set<string>();
  for (const { task } of watched.events) {
    const key = JSON.stringify([task.task_id, task.status, task.retries, task.started_at, task.finished_at]);
    if (seen.has(key)) problems.push(`delivered twice: ${key}`);
    seen.add(key);
    const before = last.get(task.task_id);
    if (before) {
      const older = task.retries! < before.retries! || (task.retries === before.retries && PHASE[task.status] < PHASE[before.status]);
      if (older || FINAL.has(before.status)) problems.push(`${task.task_id}: ${before.status}/${before.retries} then ${task.status}/${task.retries}`);
    }
    last.set(task.task_id, task);
  }
  return problems;
}
