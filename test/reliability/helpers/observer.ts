import { WebSocket } from 'ws';
import type { ReferenceServer } from '../../../server/index';
import { atEnd } from './lifecycle';

/**
 * A socket straight to the server (no proxy, no faults) that notes the task id of every frame in
 * broadcast order: the server's own account of when each task last changed.
 */
export async function observeServer(server: ReferenceServer): Promise<string[]> {
  const ids: string[] = [];
  const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/ws`);
  ws.on('error', () => undefined);
  ws.on('message', (data) => ids.push(JSON.parse(data.toString()).task.task_id));
  atEnd(() => ws.terminate());
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return ids;
}

/**
 * For every task: how many other tasks the server changed between the task's last change and the
 * moment the client held that state (`heldAt`, an index into `ids`). A poll returns the newest
 * 1000 results, so a task missed live stays recoverable while this stays under 1000.
 */
export function visibilityMargins(ids: string[], heldAt: Map<string, number>): number[] {
  const lastChange = new Map<string, number>();
  ids.forEach((id, index) => lastChange.set(id, index));
  const margins: number[] = [];
  for (const [id, last] of lastChange) {
    const held = heldAt.get(id) ?? ids.length;
    const between = new Set<string>();
    for (let i = last + 1; i < held; i++) if (ids[i] !== id) between.add(ids[i]);
    margins.push(between.size);
  }
  return margins;
}
