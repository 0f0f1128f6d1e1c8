import * as z from 'zod/mini';

/** The statuses Flowrra sends today. Others are accepted, so a newer server does not break old pages. */
export const TASK_STATUSES = ['pending', 'running', 'success', 'failed', 'retrying'] as const;
export type KnownTaskStatus = (typeof TASK_STATUSES)[number];
// `string & {}` keeps editor completion for the known names while admitting any string.
export type TaskStatus = KnownTaskStatus | (string & {});

export const TASK_EVENT_TYPES = ['task.update', 'task.create', 'task.delete'] as const;

/*
 * Each field is a zod/mini `custom` check with its own test, not `z.string()`, `z.int()`,
 * `z.nullable()` and friends: every zod class pulled in costs 200 to 600 bytes gzipped, and this
 * keeps the whole script-tag bundle under 12 KiB. The `expected` text completes the error
 * message: `task.retries: expected integer >= 0, got "2"` (see ./issues).
 */
const is = <T>(test: (value: unknown) => boolean, expected: string) => z.custom<T>(test, { error: expected });
const maybe = <T>(test: (value: unknown) => boolean, expected: string) => z.optional(is<T>(test, expected));

const string = (value: unknown): value is string => typeof value === 'string';
const nonEmpty = is<string>((value) => string(value) && value.length > 0, 'non-empty string');
const stringOrNull = maybe<string | null>((value) => value === null || string(value), 'string or null');
// Flowrra writes naive local times (`2026-11-25T17:33:43.170442`); a zone suffix is tolerated.
export const ISO_PREFIX = /^\d{4}-\d\d-\d\dT\d\d:\d\d/;
const timestamp = maybe<string | null>((value) => value === null || (string(value) && ISO_PREFIX.test(value)), 'ISO-8601 timestamp or null');

/** Flowrra's `TaskResult.to_dict`. Only `task_id` and `status` are required; unknown keys are kept. */
export const TaskSchema = z.looseObject(
  {
    task_id: nonEmpty,
    status: nonEmpty as z.ZodMiniCustom<TaskStatus, TaskStatus>,
    task_name: stringOrNull,
    result: z.optional(z.unknown()),
    error: stringOrNull,
    submitted_at: timestamp,
    started_at: timestamp,
    finished_at: timestamp,
    retries: maybe<number>((value) => Number.isInteger(value) && (value as number) >= 0, 'integer >= 0'),
    args: maybe<unknown[]>(Array.isArray, 'array'),
    kwargs: maybe<Record<string, unknown>>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), 'object'),
  },
  { error: 'object' },
);

/** A `task.delete` names the task and nothing more is required. */
export const TaskRefSchema = z.looseObject({ task_id: nonEmpty }, { error: 'object' });

/** The outer shape of every frame, checked before the task so that an unknown `type` is told apart. */
export const FrameEnvelopeSchema = z.looseObject({ type: is<string>(string, 'string'), task: z.optional(z.unknown()) }, { error: 'object' });

/** A task as Flowrra reports it. Unknown keys are kept, so a newer server's fields reach the page. */
export interface Task {
  task_id: string;
  status: TaskStatus;
  task_name?: string | null;
  result?: unknown;
  error?: string | null;
  submitted_at?: string | null;
  started_at?: string | null;
  finished_at?: string | null;
  retries?: number;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  [key: string]: unknown;
}

// Fails to compile if the schema and the interface drift apart.
type Assert<T extends true> = T;
export type SchemaMatchesTask = Assert<z.infer<typeof TaskSchema> extends Task ? true : false>;
export type TaskEventType = (typeof TASK_EVENT_TYPES)[number];
/** A frame as it travels on the socket. */
export interface TaskFrame {
  type: TaskEventType;
  task: Task;
}
