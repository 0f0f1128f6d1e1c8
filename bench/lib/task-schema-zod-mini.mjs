// The same task as `zod/mini` is usually written (functions and checks), for the "which zod" comparison.
import * as z from 'zod/mini';

const time = z.optional(z.nullable(z.string().check(z.regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d/))));
const text = z.optional(z.nullable(z.string()));

export const TaskSchema = z.looseObject({
  task_id: z.string().check(z.minLength(1)),
  status: z.string().check(z.minLength(1)),
  task_name: text,
  result: z.optional(z.unknown()),
  error: text,
  submitted_at: time,
  started_at: time,
  finished_at: time,
  retries: z.optional(z.int().check(z.nonnegative())),
  args: z.optional(z.array(z.unknown())),
  kwargs: z.optional(z.looseObject({})),
});

export const FrameSchema = z.looseObject({ type: z.string(), task: TaskSchema });
