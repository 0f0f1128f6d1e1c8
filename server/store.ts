import type { Task } from './types';

/**
 * The current result of each task, most recently changed last (Map order), bounded.
 * Stored results are full TaskResults: Flowrra sends submitted_at, args and kwargs only in the
 * pending frame, but its results API keeps them, so later frames do not erase them here.
 */
export class ResultsStore {
  private readonly tasks = new Map<string, Task>();

  constructor(private readonly capacity: number) {}

  apply(task: Task): void {
    const previous = this.tasks.get(task.task_id);
    const stored = previous ? keepSubmission(previous, task) : task;
    this.tasks.delete(task.task_id);
    this.tasks.set(task.task_id, stored);
    if (this.tasks.size > this.capacity) {
      this.tasks.delete(this.tasks.keys().next().value as string);
    }
  }

  delete(taskId: string): void {
    this.tasks.delete(taskId);
  }

  /** Most recently changed first. */
  newest(limit = Infinity): Task[] {
    const all = [...this.tasks.values()];
    const out: Task[] = [];
    for (let i = all.length - 1; i >= 0 && out.length < limit; i--) out.push(all[i]);
    return out;
  }

  get size(): number {
    return this.tasks.size;
  }
}

function keepSubmission(previous: Task, next: Task): Task {
  return {
    ...next,
    submitted_at: next.submitted_at ?? previous.submitted_at,
    args: next.args.length > 0 ? next.args : previous.args,
    kwargs: Object.keys(next.kwargs).length > 0 ? next.kwargs : previous.kwargs,
  };
}
