import { pyDumps } from './pyjson';
import type { PartialTaskEvent, Task, TaskEvent } from './types';

/** A full task in Flowrra's key order, anything missing set to Flowrra's defaults. */
export function completeTask(task: Partial<Task> & { task_id: string }): Task {
  return {
    task_id: task.task_id,
    status: task.status ?? 'pending',
    task_name: task.task_name ?? null,
    result: task.result ?? null,
    error: task.error ?? null,
    submitted_at: task.submitted_at ?? null,
    started_at: task.started_at ?? null,
    finished_at: task.finished_at ?? null,
    retries: task.retries ?? 0,
    args: task.args ?? [],
    kwargs: task.kwargs ?? {},
  };
}

export function completeEvent(event: PartialTaskEvent): TaskEvent {
  return { type: event.type, task: completeTask(event.task) };
}

/** One WebSocket text frame, byte for byte what Flowrra sends. */
export function formatFrame(event: TaskEvent): string {
  return pyDumps({ type: event.type, task: completeTask(event.task) });
}
