import fc from 'fast-check';
import { formatNaiveLocal } from '../../../server/clock';

/*
 * Hostile input for the frame and poll parsers: valid Flowrra tasks, then the same tasks mutated
 * (fields dropped, retyped, nested deeply, blown up to huge strings, `__proto__`/`constructor`
 * keys added). Everything is built as JSON text, because that is what arrives on the wire and
 * because `__proto__` only becomes an own key through JSON.parse.
 */

const micros = fc.integer({ min: 1_700_000_000_000_000, max: 1_900_000_000_000_000 });
const timestamp = micros.map(formatNaiveLocal);
const nullable = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });

/** A task as Flowrra sends it; any non-empty status is accepted, known or not. */
export const validTask = fc.record(
  {
    task_id: fc.string({ minLength: 1, maxLength: 12 }),
    status: fc.oneof(fc.constantFrom('pending', 'running', 'retrying', 'success', 'failed'), fc.string({ minLength: 1, maxLength: 8 })),
    task_name: nullable(fc.string({ maxLength: 16 })),
    result: fc.jsonValue({ maxDepth: 3 }),
    error: nullable(fc.string({ maxLength: 16 })),
    submitted_at: nullable(timestamp),
    started_at: nullable(timestamp),
    finished_at: nullable(timestamp),
    retries: fc.nat(20),
    args: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
    kwargs: fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  },
  { requiredKeys: ['task_id', 'status'] },
);

/** JSON text of a random value of any type: what a retyped field becomes. */
const anyJson = fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value));

/** Deep enough to overflow any recursive walk (the stack gives out near 10,000 frames), or shallow. */
const depth = fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 1, max: 64 }) }, { weight: 1, arbitrary: fc.constantFrom(5_000, 100_000) });

/** A string of `length` characters, some of them multi-byte, so that bytes and characters differ. */
const hugeString = fc
  .record({ length: fc.integer({ min: 1_000, max: 6_000 }), char: fc.constantFrom('x', 'é', '€', '😀') })
  .map(({ length, char }) => JSON.stringify(char.repeat(Math.ceil(length / char.length))));

const PROTO_PAYLOAD = '{"polluted": true, "toString": "polluted", "prototype": {"polluted": true}}';

export type Mutation =
  | { op: 'drop'; field: string }
  | { op: 'retype'; field: string; json: string }
  | { op: 'nest'; field: string; depth: number; array: boolean }
  | { op: 'huge'; field: string; json: string }
  | { op: 'proto'; where: 'task' | 'kwargs' | 'envelope'; key: '__proto__' | 'constructor' };

const FIELDS = ['task_id', 'status', 'task_name', 'result', 'error', 'submitted_at', 'started_at', 'finished_at', 'retries', 'args', 'kwargs'];
const field = fc.constantFrom(...FIELDS);

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('drop' as const), field }),
  fc.record({ op: fc.constant('retype' as const), field, json: anyJson }),
  fc.record({ op: fc.constant('nest' as const), field, depth, array: fc.boolean() }),
  fc.record({ op: fc.constant('huge' as const), field, json: hugeString }),
  fc.record({ op: fc.constant('proto' as const), where: fc.constantFrom('task' as const, 'kwargs' as const, 'envelope' as const), key: fc.constantFrom('__proto__' as const, 'constructor' as const) }),
);

/** The JSON text of `task` with `mutations` applied, plus envelope extras for the frame around it. */
export function mutatedTaskJson(task: Record<string, unknown>, mutations: Mutation[]): { task: string; envelopeExtra: string[] } {
  const fields = new Map<string, string>(Object.entries(task).map(([key, value]) => [key, JSON.stringify(value)]));
  const extra: string[] = [];
  for (const m of mutations) {
    if (m.op === 'drop') fields.delete(m.field);
    else if (m.op === 'retype' || m.op === 'huge') fields.set(m.field, m.json);
    else if (m.op === 'nest') {
      const inner = fields.get(m.field) ?? 'null';
      const [open, close] = m.array ? ['[', ']'] : ['{"k": ', '}'];
      fields.set(m.field, open.repeat(m.depth) + inner + close.repeat(m.depth));
    } else {
      const value = m.key === '__proto__' ? PROTO_PAYLOAD : `{"prototype": ${PROTO_PAYLOAD}}`;
      const entry = `${JSON.stringify(m.key)}: ${value}`;
      if (m.where === 'envelope') extra.push(entry);
      else if (m.where === 'task') fields.set(m.key, value);
      else {
        const kwargs = fields.get('kwargs');
        fields.set('kwargs', kwargs?.startsWith('{') && kwargs !== '{}' ? `{${entry}, ${kwargs.slice(1)}` : `{${entry}}`);
      }
    }
  }
  return { task: `{${[...fields].map(([key, json]) => `${JSON.stringify(key)}: ${json}`).join(', ')}}`, envelopeExtra: extra };
}

export const eventType = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('task.update', 'task.create', 'task.delete') },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);

/** A frame: a valid task, mutated or not, in an envelope of some type. */
export const hostileFrame = fc
  .record({ task: validTask, mutations: fc.array(mutation, { maxLength: 3 }), type: eventType })
  .map(({ task, mutations, type }) => {
    const { task: taskJson, envelopeExtra } = mutatedTaskJson(task, mutations);
    return [`"type": ${JSON.stringify(type)}`, `"task": ${taskJson}`, ...envelopeExtra].join(', ');
  })
  .map((inside) => `{${inside}}`);

/** Any text a socket might carry: hostile frames mostly, random JSON and random text too. */
export const anyFrameText = fc.oneof(
  { weight: 6, arbitrary: hostileFrame },
  { weight: 1, arbitrary: fc.jsonValue().map((value) => JSON.stringify(value)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 64 }) },
);

/** A poll body: an array of (mutated) tasks, the same under `tasks`, or anything at all. */
export const anyPollBody = fc.oneof(
  { weight: 4, arbitrary: fc.array(hostileItem(), { maxLength: 6 }).map((items) => `[${items.join(', ')}]`) },
  { weight: 2, arbitrary: fc.array(hostileItem(), { maxLength: 6 }).map((items) => `{"tasks": [${items.join(', ')}]}`) },
  { weight: 1, arbitrary: fc.jsonValue().map((value) => JSON.stringify(value)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 64 }) },
);

function hostileItem(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 5, arbitrary: fc.record({ task: validTask, mutations: fc.array(mutation, { maxLength: 3 }) }).map(({ task, mutations }) => mutatedTaskJson(task, mutations).task) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)) },
    { weight: 1, arbitrary: depth.map((d) => '['.repeat(d) + ']'.repeat(d)) },
  );
}
