import type { TaskClientErrorKind } from '../../../src/index';

/*
 * What the SDK must make of a frame or poll body, worked out from the wire contract alone (README
 * "Errors" and schema docs), without calling the SDK's parsers: a second, independent reading.
 */

export type Verdict =
  | { kind: TaskClientErrorKind }
  | { type: 'task.update' | 'task.create' | 'task.delete'; task: Record<string, unknown> };

const TYPES = ['task.update', 'task.create', 'task.delete'];
const ISO_PREFIX = /^\d{4}-\d\d-\d\dT\d\d:\d\d/;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const nonEmpty = (value: unknown) => typeof value === 'string' && value.length > 0;
const optionalText = (value: unknown) => value === undefined || value === null || typeof value === 'string';
const optionalTime = (value: unknown) => value === undefined || value === null || (typeof value === 'string' && ISO_PREFIX.test(value));

/** Only task_id and status are required; the rest, when present, must have Flowrra's types. */
export function isValidTask(value: unknown): value is Record<string, unknown> {
  if (!isRecord(value)) return false;
  const { retries, args, kwargs } = value;
  return (
    nonEmpty(value.task_id) &&
    nonEmpty(value.status) &&
    optionalText(value.task_name) &&
    optionalText(value.error) &&
    optionalTime(value.submitted_at) &&
    optionalTime(value.started_at) &&
    optionalTime(value.finished_at) &&
    (retries === undefined || (typeof retries === 'number' && Number.isInteger(retries) && retries >= 0)) &&
    (args === undefined || Array.isArray(args)) &&
    (kwargs === undefined || isRecord(kwargs))
  );
}

/**
 * The task as delivered: every key kept, except an own `__proto__`, which a parsed object cannot
 * carry as data without the risk of becoming a prototype.
 */
export function deliveredTask(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) if (key !== '__proto__') out[key] = value[key];
  return out;
}

export function frameVerdict(text: string, maxFrameBytes: number): Verdict {
  if (Buffer.byteLength(text, 'utf8') > maxFrameBytes) return { kind: 'parse' };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'parse' };
  }
  if (!isRecord(json) || typeof json.type !== 'string') return { kind: 'validation' };
  if (!TYPES.includes(json.type)) return { kind: 'unknown-type' };
  const type = json.type as 'task.update' | 'task.create' | 'task.delete';
  const valid = type === 'task.delete' ? isRecord(json.task) && nonEmpty(json.task.task_id) : isValidTask(json.task);
  return valid ? { type, task: deliveredTask(json.task as Record<string, unknown>) } : { kind: 'validation' };
}

export type PollVerdict = { kind: TaskClientErrorKind } | { items: (Record<string, unknown> | undefined)[] };

/** A body that is JSON with an array (bare or under `tasks`): one verdict per item, `undefined` for an invalid one. */
export function pollVerdict(body: string): PollVerdict {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { kind: 'poll' };
  }
  const items = Array.isArray(json) ? json : isRecord(json) ? json.tasks : undefined;
  if (!Array.isArray(items)) return { kind: 'validation' };
  return { items: items.map((item) => (isValidTask(item) ? deliveredTask(item) : undefined)) };
}
