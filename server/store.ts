import type { Task } from './types';

interface Run {
  task: Task;
  /** The position of the run's latest change. */
  seq: number;
}

/**
 * The current result of each task, most recently changed last (Map order), bounded; and with it the
 * change log that `?since=` reads: every change takes the next sequence number, and a run's entry
 * carries the number of its latest change, so the Map is also in sequence order.
 * Stored results are full TaskResults: Flowrra sends submitted_at, args and kwargs only in the
 * pending frame, but its results API keeps them, so later frames do not erase them here.
 */
export class ResultsStore {
  private readonly runs = new Map<string, Run>();
  /**
   * Tells this store's cursors from another's (a restarted server, a reset mock). Not
   * crypto.randomUUID: the msw kit may run in a browser page that is no secure context.
   */
  readonly epoch = Math.random().toString(16).slice(2, 10).padEnd(8, '0');
  /** The position of the newest change; deletes count too. */
  seq = 0;
  /**
   * The newest position whose change is no longer known: the run it touched was dropped past
   * capacity. What changed after an older position cannot all be told.
   */
  floor = 0;

  constructor(private readonly capacity: number) {}

  apply(task: Task): void {
    const previous = this.runs.get(task.task_id);
    const stored = previous ? keepSubmission(previous.task, task) : task;
    this.runs.delete(task.task_id);
    this.runs.set(task.task_id, { task: stored, seq: ++this.seq });
    if (this.runs.size > this.capacity) {
      const [id, oldest] = this.runs.entries().next().value as [string, Run];
      this.runs.delete(id);
      this.floor = oldest.seq;
    }
  }

  /** A delete moves the position, so cursors before it are told apart, but polls do not carry it: the socket does. */
  delete(taskId: string): void {
    this.seq++;
    this.runs.delete(taskId);
  }

  /** Most recently changed first. */
  newest(limit = Infinity): Task[] {
    const all = [...this.runs.values()];
    const out: Task[] = [];
    for (let i = all.length - 1; i >= 0 && out.length < limit; i--) out.push(all[i].task);
    return out;
  }

  /**
   * The runs changed after position `since`, oldest change first, at most `limit`; `last` is the
   * position of the last one served, or the newest position when all were served.
   */
  changedAfter(since: number, limit: number): { tasks: Task[]; last: number; more: boolean } {
    const tasks: Task[] = [];
    let last = this.seq;
    for (const run of this.runs.values()) {
      if (run.seq <= since) continue;
      if (tasks.length === limit) return { tasks, last, more: true };
      tasks.push(run.task);
      last = run.seq;
    }
    return { tasks, last: this.seq, more: false };
  }

  get size(): number {
    return this.runs.size;
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
