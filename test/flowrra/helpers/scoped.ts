import { vi } from 'vitest';
import { WebSocket } from 'ws';
import type { Task } from '../../../src/index';
import { APPS, FRAMEWORKS, type Framework } from './flowrra';
import { startServer, type ServerProcess } from './process';

export const FINAL = new Set(['success', 'failed']);
export const until = (check: () => void | Promise<void>, timeout = 10_000) => vi.waitFor(check, { timeout, interval: 20 });

const APP_MODULES: Record<Framework, string> = { fastapi: 'fastapi_app:app', quart: 'quart_app:app', django: 'django_app:application' };

/** A test app (test/flowrra/apps) with flowrra_live for end users at /live beside the operator's at /flowrra. */
export interface ScopedApp extends ServerProcess {
  /** `{origin}/live`: the SDK's `url` for end users. */
  readonly live: string;
  /** Submits a demo task for `user` (tagged `user:<user>` after submit returned); its task_id. */
  submit(user: string, task: 'quick' | 'slow' | 'big', ...args: unknown[]): Promise<string>;
  /** A read token signed by the app (see demo.token in test/flowrra/apps). */
  token(query: Record<string, string | number>): Promise<string>;
  /** Every run, read from the operator's mount (/flowrra). */
  operatorResults(): Promise<Task[]>;
}

export interface ScopedAppOptions {
  /** Whose server runs the app: `fastapi` is uvicorn (default: the framework's own, as in its guide). */
  server?: Framework;
  env?: Record<string, string>;
  /** More arguments for the server (`--workers 2`). */
  args?: string[];
}

export async function startScopedApp(framework: Framework, pythonPath: string[], options: ScopedAppOptions = {}): Promise<ScopedApp> {
  const server = await startServer({
    args: (port) => [...FRAMEWORKS[options.server ?? framework].args(port, APP_MODULES[framework]), ...(options.args ?? [])],
    cwd: APPS,
    env: { PYTHONPATH: [APPS, ...pythonPath].join(':'), ...options.env },
    ready: '/test/token?user=ready',
    grace: 1000,
  });
  return {
    ...server,
    live: `${server.origin}/live`,
    async submit(user, task, ...args) {
      const response = await fetch(`${server.origin}/test/submit`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ user, task, args }),
      });
      if (!response.ok) throw new Error(`submit: HTTP ${response.status}\n${server.output()}`);
      return ((await response.json()) as { task_id: string }).task_id;
    },
    async token(query) {
      const search = new URLSearchParams(Object.entries(query).map(([key, value]) => [key, String(value)]));
      const response = await fetch(`${server.origin}/test/token?${search}`);
      if (!response.ok) throw new Error(`token: HTTP ${response.status}\n${server.output()}`);
      return response.text();
    },
    async operatorResults() {
      const response = await fetch(`${server.origin}/flowrra/api/results?limit=1000`);
      if (!response.ok) throw new Error(`operator results: HTTP ${response.status}`);
      return (await response.json()) as Task[];
    },
  };
}

/** A raw socket on the scoped mount that keeps every frame it gets and how it closed. */
export interface RawSocket {
  readonly frames: { type: string; task: Task; cursor?: string }[];
  /** Resolves with the close code. */
  readonly closed: Promise<number>;
  readonly socket: WebSocket;
  close(): void;
}

export async function openRaw(app: ScopedApp, token: string | undefined): Promise<RawSocket> {
  const url = `${app.live.replace(/^http/, 'ws')}/ws${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`;
  const socket = new WebSocket(url);
  const frames: RawSocket['frames'] = [];
  socket.on('message', (data) => frames.push(JSON.parse(String(data))));
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return { frames, closed, socket, close: () => socket.close() };
}

/** A fetch that keeps every task item of every 200 poll answer. */
export function pollItems() {
  const items: Task[] = [];
  const logged: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    if (response.status === 200) items.push(...((await response.clone().json()) as Task[]));
    return response;
  };
  return { items, fetch: logged };
}

/** Poll `/live/api/results` with `token` as the bearer. */
export function scopedPoll(app: ScopedApp, token: string | undefined): Promise<Response> {
  return fetch(`${app.live}/api/results`, token === undefined ? {} : { headers: { Authorization: `Bearer ${token}` } });
}
