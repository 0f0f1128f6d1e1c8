// The Flowrra task as full `zod` is usually written (methods), for the "which zod" comparison.
import * as z from 'zod';

const time = z.string().regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d/).nullable().optional();
const text = z.string().nullable().optional();

export const TaskSchema = z.looseObject({
  task_id: z.string().min(1),
  status: z.string().min(1),
  task_name: text,
  result: z.unknown().optional(),
  error: text,
  submitted_at: time,
  started_at: time,
  finished_at: time,
  retries: z.number().int().nonnegative().optional(),
  args: z.array(z.unknown()).optional(),
  kwargs: z.looseObject({}).optional(),
});

export const FrameSchema = z.looseObject({ type: z.string(), task: TaskSchema });
