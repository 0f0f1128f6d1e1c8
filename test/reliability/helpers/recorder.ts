import { isDeepStrictEqual } from 'node:util';
import { compareProgress, type ConnectionState, type Task, type TaskClient, type TaskClientError, type TaskEvent } from '../../../src/index';

/** Everything a client reports, with the per-callback checks the reliability tests assert on. */
export interface Recording {
  events: number;
  bySource: { ws: number; poll: number };
  /** Callbacks whose task is older (compareProgress) than the one delivered before it. */
  backwards: string[];
  /** Callbacks that delivered the very task delivered before them: one change told twice. */
  repeats: string[];
  errors: TaskClientError[];
  states: ConnectionState[];
  last: Map<string, Task>;
}

export function record(client: TaskClient, onEvent?: (event: TaskEvent) => void): Recording {
  const rec: Recording = { events: 0, bySource: { ws: 0, poll: 0 }, backwards: [], repeats: [], errors: [], states: [], last: new Map() };
  client.on('error', (error) => rec.errors.push(error));
  client.on('state', (state) => rec.states.push(state));
  client.subscribe((event) => {
    rec.events++;
    rec.bySource[event.source]++;
    const id = event.task.task_id;
    const before = rec.last.get(id);
    if (before && compareProgress(event.task, before) < 0) rec.backwards.push(`${id}: ${before.status} -> ${event.task.status}`);
    if (before && isDeepStrictEqual(event.task, before)) rec.repeats.push(`${id}: ${event.task.status} twice`);
    rec.last.set(id, event.task);
    onEvent?.(event);
  });
  return rec;
}

/** Error kinds with how often each was reported. */
export function errorKinds(rec: Recording): Record<string, number> {
  const kinds: Record<string, number> = {};
  for (const error of rec.errors) kinds[error.kind] = (kinds[error.kind] ?? 0) + 1;
  return kinds;
}
