import { TaskClientError } from './errors';
import { formatIssues } from './issues';
import { FrameEnvelopeSchema, TaskRefSchema, TaskSchema, type Task, type TaskEventType } from './schema';

export interface ParsedEvent {
  type: TaskEventType;
  task: Task;
}

export type ParseResult = ParsedEvent | TaskClientError;

/** Turns one socket frame into an event, or an error that says what was wrong. Never throws. */
export function parseFrame(data: unknown, maxFrameBytes: number): ParseResult {
  if (typeof data !== 'string') {
    return new TaskClientError('parse', 'frame: expected a JSON text frame, got a binary frame');
  }
  if (exceedsBytes(data, maxFrameBytes)) {
    return new TaskClientError('parse', `frame: ${data.length} characters is over maxFrameBytes (${maxFrameBytes})`, { raw: data });
  }
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch (error) {
    return new TaskClientError('parse', `frame: invalid JSON (${(error as Error).message})`, { raw: data });
  }
  return toEvent(json, data);
}

/** Validates a decoded frame. `raw` is what the error carries. */
export function toEvent(json: unknown, raw: unknown = json): ParseResult {
  const envelope = FrameEnvelopeSchema.safeParse(json);
  if (!envelope.success) {
    return new TaskClientError('validation', formatIssues(envelope.error.issues, json, ''), { raw });
  }
  const type = envelope.data.type;
  if (type !== 'task.update' && type !== 'task.create' && type !== 'task.delete') {
    return new TaskClientError('unknown-type', `type: unknown event type ${JSON.stringify(type)}`, { raw });
  }
  const task = parseTask(envelope.data.task, type === 'task.delete', 'task', raw);
  return task instanceof TaskClientError ? task : { type, task };
}

/** Validates one task object; `where` names it in the message (`task`, `results[3]`). */
export function parseTask(value: unknown, refOnly: boolean, where: string, raw: unknown = value): Task | TaskClientError {
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
