import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TaskClientError } from '../../src/errors';
import { parseFrame, parseTask } from '../../src/frame';
import { TaskSchema } from '../../src/schema';
import { fixtureFrames } from '../helpers/tasks';

/*
 * parseTask answers plainly valid tasks without running TaskSchema (see src/frame.ts). These hold it
 * to the schema: the same verdict and the same object, key order included, for inputs built to sit
 * on both sides of every rule, and the fast path actually taken for the frames Flowrra sends.
 */

const ISO = '2026-11-25T17:33:43.170442';
const json = fc.jsonValue({ maxDepth: 2 });
// Valid values most of the time, near misses and arbitrary JSON the rest.
const mostly = <T>(valid: fc.Arbitrary<T>, ...misses: fc.Arbitrary<unknown>[]) =>
  fc.oneof({ weight: 10 * misses.length + 10, arbitrary: valid as fc.Arbitrary<unknown> }, ...misses.map((arbitrary) => ({ weight: 1, arbitrary })), { weight: 1, arbitrary: json });
const timestamp = mostly(
  fc.constantFrom(ISO, '2026-11-25T17:33', '2026-11-25T17:33:43Z', null),
  fc.integer({ min: 0, max: ISO.length - 1 }).chain((at) => fc.string({ minLength: 1, maxLength: 1 }).map((c) => ISO.slice(0, at) + c + ISO.slice(at + 1))),
  fc.constantFrom('2026-11-25 17:33:43', '2026-11-2T17:33', '', 'T'),
);
const text = mostly(fc.oneof(fc.string(), fc.constant(null)), fc.integer(), fc.boolean());
const FIELDS: Record<string, fc.Arbitrary<unknown>> = {
  task_id: mostly(fc.uuid(), fc.constant(''), fc.integer()),
  status: mostly(fc.constantFrom('pending', 'running', 'retrying', 'success', 'failed', 'revoked', 'constructor'), fc.constant('')),
  task_name: text,
  result: json,
  error: text,
  submitted_at: timestamp,
  started_at: timestamp,
  finished_at: timestamp,
  retries: mostly(fc.nat(5), fc.constantFrom(-1, 1.5, -0, '2', 1e21)),
  args: mostly(fc.array(json, { maxLength: 3 }), fc.constant(null), fc.constant({})),
  kwargs: mostly(
    fc.dictionary(fc.constantFrom('delay', 'priority', '__proto__', 'constructor', 'toString'), json, { maxKeys: 3 }),
    fc.constant(null),
    fc.constant([]),
  ),
};
const EXTRA = fc.constantFrom('__proto__', 'constructor', 'hasOwnProperty', 'queue', 'worker', '0', '10');

// Built as wire text and decoded, as the client gets it: duplicate and `__proto__` keys behave as from JSON.parse.
const wireTask = fc
  .tuple(
    // Mostly every key; now and then one left out, the required ones included.
    fc.oneof({ weight: 3, arbitrary: fc.constant(Object.keys(FIELDS)) }, { weight: 1, arbitrary: fc.shuffledSubarray(Object.keys(FIELDS)) }),
    fc.array(fc.tuple(EXTRA, json), { maxLength: 2 }),
    fc.boolean(),
  )
  .chain(([keys, extras, shuffle]) =>
    fc
      .tuple(...keys.map((key) => FIELDS[key]))
      .map((values) => {
        const entries: [string, unknown][] = keys.map((key, i) => [key, values[i]]);
        if (!shuffle) entries.sort(([a], [b]) => Object.keys(FIELDS).indexOf(a) - Object.keys(FIELDS).indexOf(b));
        entries.push(...extras);
        return `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`).join(',')}}`;
      }),
  );

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the fast path for valid tasks', () => {
  it('gives what TaskSchema gives, for tasks on both sides of every rule', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.oneof({ weight: 9, arbitrary: wireTask }, { weight: 1, arbitrary: json.map((v) => JSON.stringify(v)) }), (wire) => {
        const expected = TaskSchema.safeParse(JSON.parse(wire));
        const got = parseTask(JSON.parse(wire), false, 'task');
        if (!expected.success) {
          expect(got).toBeInstanceOf(TaskClientError);
          return;
        }
        accepted++;
        // toStrictEqual would compare the `constructor` keys some of these tasks carry as their class.
        expect(got).toEqual(expected.data);
        expect(JSON.stringify(got)).toBe(JSON.stringify(expected.data));
        expect(Object.getPrototypeOf(got)).toBe(Object.getPrototypeOf(expected.data));
      }),
      { numRuns: 3000 },
    );
    // Both sides were visited: the generator is no good if nearly everything passes or fails.
    expect(accepted).toBeGreaterThan(300);
    expect(accepted).toBeLessThan(2700);
  });

  it('answers every real Flowrra frame without running the schema', () => {
    const safeParse = vi.spyOn(TaskSchema, 'safeParse');
    let frames = 0;
    for (const lines of fixtureFrames().values()) {
      for (const line of lines) {
        expect(parseFrame(line, 1 << 20)).not.toBeInstanceOf(TaskClientError);
        frames++;
      }
    }
    expect(frames).toBeGreaterThan(0);
    expect(safeParse).not.toHaveBeenCalled();
  });

  it('still words errors through the schema', () => {
    const error = parseTask(JSON.parse(`{"task_id": "t", "status": "running", "retries": -1}`), false, 'results[3]');
    expect(error).toBeInstanceOf(TaskClientError);
    expect((error as TaskClientError).message).toBe('results[3].retries: expected integer >= 0, got -1');
  });
});
