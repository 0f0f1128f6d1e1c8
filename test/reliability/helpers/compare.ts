import { isDeepStrictEqual } from 'node:util';
import type { TaskClient } from '../../../src/index';
import type { Task } from '../../../server/index';

/** Task ids on which the client's view and the server's results disagree, both ways. */
export function divergent(client: TaskClient, results: Task[]): string[] {
  const out: string[] = [];
  const known = new Set<string>();
  for (const expected of results) {
    known.add(expected.task_id);
    if (!isDeepStrictEqual(client.tasks.get(expected.task_id), expected)) out.push(expected.task_id);
  }
  for (const id of client.tasks.keys()) if (!known.has(id)) out.push(id);
  return out;
}

/** One divergent task, side by side, for a failure message. */
export function describeDivergence(client: TaskClient, results: Task[], id: string): string {
  const server = results.find((task) => task.task_id === id);
  return `${id}\n  client: ${JSON.stringify(client.tasks.get(id))}\n  server: ${JSON.stringify(server)}`;
}
