import { jsonEqual } from './equal';
import { compareProgress, isFinished } from './order';
import type { Task } from './schema';

/**
 * The merged view of all tasks. Task objects are replaced on change, never mutated, so a caller may
 * keep one as a snapshot.
 */
export class TaskStore {
  readonly tasks = new Map<string, Task>();
  /** Grows on every change, so a reader can tell "changed" with one comparison. */
  version = 0;
  // Ids deleted by the server: a later poll must not bring them back.
  private readonly deleted = new Set<string>();
  // The keys of `tasks` in Map order, from `head` on. Eviction walks this, not the Map: a Map
  // iterator starts at the first slot and steps over every deleted entry V8 has not compacted yet,
  // thousands of them once a full store evicts on every new task.
  private order: string[] = [];
  private head = 0;
  // Stored tasks that are finished: with none, the victim is the oldest task and needs no search.
  private finished = 0;

  constructor(private readonly maxTasks: number) {}

  /** Merges `incoming` into the stored task. Returns the new stored task, or undefined when nothing changed. */
  upsert(incoming: Task, fromPoll: boolean): Task | undefined {
    const id = incoming.task_id;
    if (fromPoll && this.deleted.has(id)) return undefined;
    const stored = this.tasks.get(id);
    const next = stored ? mergeTask(stored, incoming) : incoming;
    // A newer order key means a changed status, retries or timestamp: no need to compare the rest.
    const order = stored ? compareProgress(next, stored) : 1;
    if (order < 0 || (order === 0 && jsonEqual(next, stored))) return undefined;
    this.deleted.delete(id);
    this.tasks.set(id, next);
    this.finished += Number(isFinished(next)) - Number(!!stored && isFinished(stored));
    if (!stored) {
      this.order.push(id);
      if (this.tasks.size > this.maxTasks) this.evictOne();
    }
    this.version++;
    return next;
  }

  /** Removes a task. Returns what was stored, or undefined when it was unknown. */
  remove(id: string): Task | undefined {
    const stored = this.tasks.get(id);
    this.remember(id);
    if (!stored) return undefined;
    this.tasks.delete(id);
    if (isFinished(stored)) this.finished--;
    this.order.splice(this.order.indexOf(id, this.head), 1);
    this.version++;
    return stored;
  }

  private remember(id: string): void {
    this.deleted.add(id);
    if (this.deleted.size > this.maxTasks) this.deleted.delete(this.deleted.values().next().value as string);
  }

  // The first finished task in Map (insertion) order goes; when none is finished, the oldest task.
  private evictOne(): void {
    const { order, head } = this;
    let at = head;
    if (this.finished > 0) {
      while (at < order.length && !isFinished(this.tasks.get(order[at])!)) at++;
      if (at < order.length) this.finished--;
      else at = head;
    }
    this.tasks.delete(order[at]);
    // The unfinished tasks passed over keep their order, each one slot later.
    order.copyWithin(head + 1, head, at);
    // Dropping the consumed front once it outgrows the view keeps this O(1) per task, amortized.
    if (++this.head > this.maxTasks) {
      this.order = order.slice(this.head);
      this.head = 0;
    }
  }
}

/**
 * Flowrra sends `submitted_at`, `args` and `kwargs` only on the `pending` frame; later frames carry
 * null, [] and {} there, which must not erase what is known. Missing keys keep their stored value.
 */
export function mergeTask(stored: Task, incoming: Task): Task {
  const merged: Task = { ...stored, ...incoming };
  if (incoming.submitted_at == null && stored.submitted_at != null) merged.submitted_at = stored.submitted_at;
  if (isEmpty(incoming.args) && stored.args !== undefined) merged.args = stored.args;
  if (isEmpty(incoming.kwargs) && stored.kwargs !== undefined) merged.kwargs = stored.kwargs;
  return merged;
}

function isEmpty(value: unknown): boolean {
  if (value == null) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.keys(value).length === 0;
}
