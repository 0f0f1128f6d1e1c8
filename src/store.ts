import { jsonEqual } from './equal';
import { compareProgress, isFinished } from './order';
import { readonlyView } from './readonly-map';
import type { Task } from './schema';

const FORGOTTEN_MIN = 1000;

/**
 * The merged view of all tasks. Task objects are replaced on change, never mutated, so a caller may
 * keep one as a snapshot.
 */
export class TaskStore {
  private readonly byId = new Map<string, Task>();
  /** What callers read: they cannot change the store behind its back. */
  readonly tasks: ReadonlyMap<string, Task> = readonlyView(this.byId);
  /** Grows on every change, so a reader can tell "changed" with one comparison. */
  version = 0;
  // Tasks no longer stored: deleted by the server (a later poll must not bring them back), or
  // evicted past maxTasks with the order key they had (an older state must not come back either).
  private readonly gone: Forgotten;
  // The keys of `byId` in Map order, from `head` on. Eviction walks this, not the Map: a Map
  // iterator starts at the first slot and steps over every deleted entry V8 has not compacted yet,
  // thousands of them once a full store evicts on every new task.
  private order: string[] = [];
  private head = 0;
  // Stored tasks that are finished: with none, the victim is the oldest task and needs no search.
  private finished = 0;

  constructor(private readonly limit: number) {
    // At least as many as a poll answer can hold (the reference server's limit is 1000): a poll
    // re-reading tasks evicted by the last one must find every one of them remembered.
    this.gone = new Forgotten(Math.max(limit, FORGOTTEN_MIN));
  }

  /** Merges `incoming` into the stored task. Returns the new stored task, or undefined when nothing changed. */
  upsert(incoming: Task, fromPoll: boolean): Task | undefined {
    const id = incoming.task_id;
    const stored = this.byId.get(id);
    if (!stored) {
      const last = this.gone.get(id);
      // A delete has no order key: only the socket, which saw the task come back, may revive it.
      if (last && (wasDeleted(last) ? fromPoll : compareProgress(incoming, last) <= 0)) return undefined;
    }
    const next = stored ? mergeTask(stored, incoming) : incoming;
    // A newer order key means a changed status, retries or timestamp: no need to compare the rest.
    const order = stored ? compareProgress(next, stored) : 1;
    if (order < 0 || (order === 0 && jsonEqual(next, stored))) return undefined;
    this.byId.set(id, next);
    this.finished += Number(isFinished(next)) - Number(!!stored && isFinished(stored));
    if (!stored) {
      this.order.push(id);
      if (this.byId.size > this.limit) this.evictOne(isFinished(next));
    }
    this.version++;
    return next;
  }

  /** Removes a task. Returns what was stored, or undefined when it was unknown. */
  remove(id: string): Task | undefined {
    const stored = this.byId.get(id);
    this.gone.set(deletedEntry(id));
    if (!stored) return undefined;
    this.byId.delete(id);
    if (isFinished(stored)) this.finished--;
    this.order.splice(this.order.indexOf(id, this.head), 1);
    this.version++;
    return stored;
  }

  // The first finished task in Map (insertion) order goes; when none is finished, the oldest task.
  // The task just added is never the victim: its event is about to go out, for a task the view holds.
  private evictOne(newcomerFinished: boolean): void {
    const { order, head } = this;
    let at = head;
    if (this.finished > Number(newcomerFinished)) {
      while (!isFinished(this.byId.get(order[at])!)) at++;
    }
    const victim = this.byId.get(order[at])!;
    if (isFinished(victim)) this.finished--;
    this.byId.delete(order[at]);
    this.gone.set(orderKey(victim));
    // The unfinished tasks passed over keep their order, each one slot later.
    order.copyWithin(head + 1, head, at);
    // Dropping the consumed front once it outgrows the view keeps this O(1) per task, amortized.
    if (++this.head > this.limit) {
      this.order = order.slice(this.head);
      this.head = 0;
    }
  }
}

// A delete's entry: a status no task has (the schema requires a non-empty one).
const deletedEntry = (task_id: string): Task => ({ task_id, status: '' });
const wasDeleted = (entry: Task): boolean => entry.status === '';

/** What compareProgress reads of a task, kept for an evicted one instead of its whole payload. */
function orderKey({ task_id, status, retries, submitted_at, started_at, finished_at }: Task): Task {
  return { task_id, status, retries, submitted_at, started_at, finished_at };
}

/**
 * Ids forgotten, each with what is known of it: its order key, or a delete. The last `capacity` at
 * least, in two generations: when the young one is full it becomes the old one and the old one is
 * dropped whole. A store past maxTasks forgets a task on every new one, and dropping entries one by
 * one (a ring, and a Map delete each) was the larger part of what remembering cost
 * (bench/throughput.mjs, backlog).
 */
class Forgotten {
  private young = new Map<string, Task>();
  private old = new Map<string, Task>();

  constructor(private readonly capacity: number) {}

  /** `undefined`: never forgotten (or long ago). */
  get(id: string): Task | undefined {
    return this.young.get(id) ?? this.old.get(id);
  }

  set(entry: Task): void {
    if (this.young.size >= this.capacity) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(entry.task_id, entry);
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

// Arrays too: JSON arrays have no holes, so an empty one is the one without keys.
function isEmpty(value: unknown): boolean {
  return value == null || (typeof value === 'object' && Object.keys(value).length === 0);
}
