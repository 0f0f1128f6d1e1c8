import { vi } from 'vitest';
import { WebSocket } from 'ws';
import type { Task } from '../../../src/index';
import type { FlowrraApp } from './flowrra';

const FINAL = new Set(['success', 'failed']);

/**
 * A plain WebSocket on the app's socket, beside the SDK: it tells when the server emitted each
 * state, so a test can wait for tasks to finish on the server (not for a guessed time) and count
 * what the SDK did after.
 */
export interface Observer {
  /** Every frame's task with the time (performance.now()) it arrived. */
  readonly seen: { at: number; task: Task }[];
  /** When the server said `taskId` finished, once it has. */
  finishedAt(taskId: string): number | undefined;
  /** Resolves once every task in `ids` has finished on the server. */
  waitFinished(ids: string[], timeout?: number): Promise<void>;
  close(): void;
}

export async function openObserver(app: FlowrraApp): Promise<Observer> {
  const socket = new WebSocket(`${app.mount.replace(/^http/, 'ws')}/ws`);
  const seen: Observer['seen'] = [];
  socket.on('message', (data) => seen.push({ at: performance.now(), task: (JSON.parse(String(data)) as { task: Task }).task }));
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  // FastAPI and Django subscribe only after the handshake, and say nothing when they have: the
  // observer counts as subscribed once a task submitted after the open reaches it.
  const probes: string[] = [];
  await vi.waitFor(
    async () => {
      if (!seen.some(({ task }) => probes.includes(task.task_id))) {
        probes.push(await app.submit('quick', 0));
        throw new Error('not subscribed yet');
      }
    },
    { timeout: 5_000, interval: 50 },
  );
  const finishedAt = (taskId: string) => seen.find(({ task }) => task.task_id === taskId && FINAL.has(task.status))?.at;
  return {
    seen,
    finishedAt,
    async waitFinished(ids, timeout = 10_000) {
      await vi.waitFor(() => {
        const open = ids.filter((id) => finishedAt(id) === undefined);
        if (open.length) throw new Error(`not finished on the server: ${open.join(', ')}`);
      }, { timeout, interval: 20 });
    },
    close: () => socket.close(),
  };
}
