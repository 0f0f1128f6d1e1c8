import { hasOwn } from './equal';
import { TaskClientError } from './errors';
import { formatIssues } from './issues';
import { FrameEnvelopeSchema, ISO_PREFIX, TaskRefSchema, TaskSchema, type Task, type TaskEventType } from './schema';

export interface ParsedEvent {
  type: TaskEventType;
  task: Task;
}

export type ParseResult = ParsedEvent | TaskClientError;

/** Turns one socket frame into an event, or an error that says what was wrong. Never throws. */
export function parseFrame(data: unknown, maxFrameBytes: number): ParseResult {
  const json = decodeJson(data, maxFrameBytes, 'frame');
  return json instanceof TaskClientError ? json : toEvent(json, data);
}

/**
 * `data` decoded, or the `parse` error for text that is not JSON, over `maxBytes`, or not text at
 * all (a binary frame). `what` begins the message: a socket `frame`, a `channel` message.
 */
export function decodeJson(data: unknown, maxBytes: number, what: string): unknown {
  if (typeof data !== 'string') return new TaskClientError('parse', `${what}: expected JSON text, got binary data`);
  // The limit is in UTF-8 bytes: a text of fewer characters than that can still be over it.
  if (exceedsBytes(data, maxBytes)) return new TaskClientError('parse', `${what}: more than maxFrameBytes (${maxBytes}) bytes of UTF-8`, { raw: data });
  try {
    return JSON.parse(data);
  } catch (error) {
    return new TaskClientError('parse', `${what}: invalid JSON (${(error as Error).message})`, { raw: data });
  }
}

/** Validates a decoded frame. `raw` is what the error carries. */
function toEvent(json: unknown, raw: unknown): ParseResult {
  let envelope = json as { type: string; task?: unknown };
  // Checked by hand when it plainly passes: the schema would copy the envelope only to hand back
  // the same two values. Anything else meets the schema, which words the error.
  if (!isRecord(json) || typeof json.type !== 'string') {
    const parsed = FrameEnvelopeSchema.safeParse(json);
    if (!parsed.success) return new TaskClientError('validation', formatIssues(parsed.error.issues, json, ''), { raw });
    envelope = parsed.data;
  }
  const type = envelope.type;
  if (type !== 'task.update' && type !== 'task.create' && type !== 'task.delete') {
    return new TaskClientError('unknown-type', `type: unknown event type ${JSON.stringify(type)}`, { raw });
  }
  const task = parseTask(envelope.task, type === 'task.delete', 'task', raw);
  return task instanceof TaskClientError ? task : { type, task };
}

/** Validates one task object; `where` names it in the message (`task`, `results[3]`). */
export function parseTask(value: unknown, refOnly: boolean, where: string, raw: unknown = value): Task | TaskClientError {
  const plain = refOnly ? undefined : plainTask(value);
  if (plain) return plain;
  const parsed = (refOnly ? TaskRefSchema : TaskSchema).safeParse(value);
  if (parsed.success) return parsed.data as Task;
  return new TaskClientError('validation', formatIssues(parsed.error.issues, value, where), { raw });
}

// A UTF-16 length is a lower bound of the UTF-8 size and a third of an upper bound, so the exact
// count is needed only in between.
function exceedsBytes(text: string, max: number): boolean {
  if (text.length > max) return true;
  if (text.length * 3 <= max) return false;
  return new TextEncoder().encode(text).length > max;
}

/*
 * TaskSchema's rules written out, for the tasks that plainly pass them: zod/mini interprets a schema
 * field by field, allocating as it goes, and that was the largest cost of a frame in the profile
 * (bench/RESULTS.md). Whatever this does not accept goes to the schema, which decides and words the
 * error. test/perf/task-guard.test.ts holds the two to the same verdict and the same output.
 */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const nonEmpty = (value: unknown) => typeof value === 'string' && value.length > 0;
const text = (value: unknown) => value == null || typeof value === 'string';
const time = (value: unknown) => value == null || (typeof value === 'string' && ISO_PREFIX.test(value));
let taskKeys: string[] | undefined;

function plainTask(task: unknown): Task | undefined {
  if (!isRecord(task) || hasOwn(task, '__proto__')) return undefined;
  const { retries, args, kwargs } = task;
  const valid =
    nonEmpty(task.task_id) &&
    nonEmpty(task.status) &&
    text(task.task_name) &&
    text(task.error) &&
    time(task.submitted_at) &&
    time(task.started_at) &&
    time(task.finished_at) &&
    (retries === undefined || (Number.isInteger(retries) && (retries as number) >= 0)) &&
    (args === undefined || Array.isArray(args)) &&
    (kwargs === undefined || isRecord(kwargs));
  if (!valid) return undefined;
  // The object the schema would return: its own keys first, in its order, then the others as they came.
  const out: Record<string, unknown> = {};
  for (const key of (taskKeys ??= Object.keys(TaskSchema.def.shape))) if (key in task) out[key] = task[key];
  for (const key in task) if (!hasOwn(out, key)) out[key] = task[key];
  return out as Task;
}
