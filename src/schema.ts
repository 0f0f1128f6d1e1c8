import * as z from 'zod/mini';

/** The statuses Flowrra sends today. Others are accepted, so a newer server does not break old pages. */
export const TASK_STATUSES = ['pending', 'running', 'success', 'failed', 'retrying'] as const;
export type KnownTaskStatus = (typeof TASK_STATUSES)[number];
// `string & {}` keeps editor completion for the known names while admitting any string.
export type TaskStatus = KnownTaskStatus | (string & {});

export const TASK_EVENT_TYPES = ['task.update', 'task.create', 'task.delete'] as const;

// The `error` texts complete "expected …" in TaskClientError messages (see ./issues). Checks are
// plain refinements: zod/mini's int, minLength, regex and record each add half a kilobyte or more.
const check = <T>(type: z.ZodMiniType<T>, test: (value: T) => boolean, expected: string) =>
  type.check(z.refine(test, { error: expected }));
const nonEmpty = check(z.string({ error: 'non-empty string' }), (s) => s.length > 0, 'non-empty string');
const stringOrNull = z.optional(z.nullable(z.string({ error: 'string or null' })));
// Flowrra writes naive local times (`2026-11-25T17:33:43.170442`); a zone suffix is tolerated.
const isoTime = 'ISO-8601 timestamp or null';
const ISO_PREFIX = /^\d{4}-\d\d-\d\dT\d\d:\d\d/;
const timestamp = z.optional(z.nullable(check(z.string({ error: isoTime }), (s) => ISO_PREFIX.test(s), isoTime)));

/** Flowrra's `TaskResult.to_dict`. Only `task_id` and `status` are required; unknown keys are kept. */
export const TaskSchema = z.looseObject({
  task_id: nonEmpty,
  status: nonEmpty,
  task_name: stringOrNull,
  result: z.optional(z.unknown()),
  error: stringOrNull,
  submitted_at: timestamp,
  started_at: timestamp,
  finished_at: timestamp,
  retries: z.optional(check(z.number({ error: 'integer' }), (n) => Number.isInteger(n) && n >= 0, 'integer >= 0')),
  args: z.optional(z.array(z.unknown(), { error: 'array' })),
  kwargs: z.optional(z.looseObject({}, { error: 'object' })),
}, { error: 'object' });

/** A `task.delete` names the task and nothing more is required. */
export const TaskRefSchema = z.looseObject({ task_id: nonEmpty }, { error: 'object' });

/** The outer shape of every frame, checked before the task so that an unknown `type` is told apart. */
export const FrameEnvelopeSchema = z.looseObject(
  { type: z.string({ error: 'string' }), task: z.optional(z.unknown()) },
  { error: 'object' },
);

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
