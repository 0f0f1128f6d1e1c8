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

  constructor(private readonly maxTasks: number) {}

  /** Merges `incoming` into the stored task. Returns the new stored task, or undefined when nothing changed. */
  upsert(incoming: Task, fromPoll: boolean): Task | undefined {
    const id = incoming.task_id;
    if (fromPoll && this.deleted.has(id)) return undefined;
    const stored = this.tasks.get(id);
    const next = stored ? mergeTask(stored, incoming) : incoming;
    if (stored && (compareProgress(next, stored) < 0 || jsonEqual(next, stored))) return undefined;
    this.deleted.delete(id);
    this.tasks.set(id, next);
    if (!stored && this.tasks.size > this.maxTasks) this.evictOne();
    this.version++;
    return next;
  }

  /** Removes a task. Returns what was stored, or undefined when it was unknown. */
  remove(id: string): Task | undefined {
    const stored = this.tasks.get(id);
    this.remember(id);
    if (!stored) return undefined;
    this.tasks.delete(id);
    this.version++;
    return stored;
  }

  private remember(id: string): void {
    this.deleted.add(id);
    if (this.deleted.size > this.maxTasks) this.deleted.delete(this.deleted.values().next().value as string);
  }

  // Maps iterate in insertion order, so the first finished task met is the oldest one.
  private evictOne(): void {
    let victim: string | undefined;
    for (const [id, task] of this.tasks) {
      victim ??= id;
      if (isFinished(task)) {
        victim = id;
        break;
      }
    }
    if (victim !== undefined) this.tasks.delete(victim);
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
