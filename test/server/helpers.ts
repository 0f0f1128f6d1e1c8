import { afterEach } from 'vitest';
import { WebSocket, type ClientOptions } from 'ws';
import { startReferenceServer } from '../../server/index';
import type { ReferenceServer, ReferenceServerOptions, Task } from '../../server/index';

const running: ReferenceServer[] = [];
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await Promise.all(running.splice(0).map((server) => server.stop()));
});

/** A server on a free port, stopped after the test. */
export async function start(options: ReferenceServerOptions = {}): Promise<ReferenceServer> {
  const server = await startReferenceServer({ port: 0, ...options });
  running.push(server);
  return server;
}

export const wsUrl = (server: ReferenceServer, query = '') => `${server.url.replace(/^http/, 'ws')}/ws${query}`;

/** A socket that records every frame, so a test can await the next ones. */
export class Peer {
  readonly frames: string[] = [];
  readonly binary: Buffer[] = [];
  private readonly waiters = new Set<() => void>();
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(readonly ws: WebSocket) {
    ws.on('error', () => undefined);
    ws.on('message', (data, isBinary) => {
      if (isBinary) this.binary.push(data as Buffer);
      else this.frames.push(data.toString());
      for (const wake of this.waiters) wake();
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /** Resolves once `done()` holds, re-checked after every frame. */
  until<T>(done: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`Timed out; frames so far:\n${this.frames.join('\n')}`));
      }, timeoutMs);
      const check = () => {
        const value = done();
        if (value === undefined || value === false) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(value);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Parsed tasks of the frames about `taskId`, once `status` arrived. */
  async tasksUntil(taskId: string, status: Task['status']): Promise<Task[]> {
    return this.until(() => {
      const tasks = this.frames.map((f) => JSON.parse(f).task as Task).filter((t) => t.task_id === taskId);
      return tasks.some((t) => t.status === status) ? tasks : undefined;
    });
  }
}

export async function connect(server: ReferenceServer, query = '', options: ClientOptions = {}): Promise<Peer> {
  const ws = new WebSocket(wsUrl(server, query), options);
  sockets.push(ws);
  const peer = new Peer(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return peer;
}

/** The HTTP status an upgrade is answered with (101 when it succeeds). */
export function upgradeStatus(url: string, options: ClientOptions = {}, protocols?: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, options);
    sockets.push(ws);
    ws.once('open', () => resolve(101));
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.on('error', reject);
  });
}

/** Awaits `condition` by re-checking it on each turn of the event loop, failing after `timeoutMs`. */
export async function eventually(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('Condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
