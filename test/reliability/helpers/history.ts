import fc from 'fast-check';
import { formatNaiveLocal } from '../../../server/clock';
import type { Task } from '../../../src/index';

/*
 * One task's life as a Flowrra worker reports it: pending, running, then per failed attempt
 * retrying (retries + 1, same started_at) and running again, then success or failed. Each state
 * comes in two shapes: the full result a poll returns, and the frame, which carries submitted_at,
 * args and kwargs only while pending.
 */
export interface History {
  /** Full states, oldest first. */
  states: Task[];
}

export function frameShape(state: Task): Task {
  if (state.status === 'pending') return state;
  return { ...state, submitted_at: null, args: [], kwargs: {} };
}

export const history: fc.Arbitrary<History> = fc
  .record({
    start: fc.integer({ min: 1_700_000_000_000_000, max: 1_900_000_000_000_000 }),
    // Gaps down to 1 µs: neighbouring steps can share everything but the last digit.
    gaps: fc.array(fc.integer({ min: 1, max: 3_000_000 }), { minLength: 12, maxLength: 12 }),
    failedAttempts: fc.integer({ min: 0, max: 4 }),
    outcome: fc.constantFrom('success', 'failed'),
    args: fc.array(fc.jsonValue({ maxDepth: 1 }), { minLength: 1, maxLength: 3 }),
    kwargs: fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.jsonValue({ maxDepth: 1 }), { minKeys: 1, maxKeys: 3 }),
    result: fc.jsonValue({ maxDepth: 2 }),
  })
  .map(({ start, gaps, failedAttempts, outcome, args, kwargs, result }) => {
    let now = start;
    let gap = 0;
    const tick = () => formatNaiveLocal((now += gaps[gap++ % gaps.length]));
    const base = { task_id: 'fuzzed', task_name: 'job', result: null, error: null, finished_at: null, args, kwargs };
    const submitted_at = formatNaiveLocal(now);
    const states: Task[] = [{ ...base, status: 'pending', submitted_at, started_at: null, retries: 0 }];
    let started_at = tick();
    states.push({ ...base, status: 'running', submitted_at, started_at, retries: 0 });
    for (let retries = 1; retries <= failedAttempts; retries++) {
      states.push({ ...base, status: 'retrying', submitted_at, started_at, retries });
      started_at = tick();
      states.push({ ...base, status: 'running', submitted_at, started_at, retries });
    }
    const end = { ...base, submitted_at, started_at, finished_at: tick(), retries: failedAttempts };
    states.push(outcome === 'success' ? { ...end, status: 'success', result } : { ...end, status: 'failed', error: 'boom' });
    return { states };
  });

export interface Delivery {
  state: Task;
  shape: 'frame' | 'poll';
}

/** Any interleaving of the states, each as a frame or as a poll result, duplicates included; the last state at least once. */
export function deliveries(h: History): fc.Arbitrary<Delivery[]> {
  const last = h.states.length - 1;
  const one = fc.record({ index: fc.integer({ min: 0, max: last }), poll: fc.boolean() });
  return fc
    .record({ picks: fc.array(one, { maxLength: 3 * h.states.length }), final: one.map((d) => ({ ...d, index: last })), at: fc.nat() })
    .map(({ picks, final, at }) => {
      picks.splice(at % (picks.length + 1), 0, final);
      return picks.map(({ index, poll }) => ({ state: poll ? h.states[index] : frameShape(h.states[index]), shape: poll ? 'poll' : 'frame' }));
    });
}

/** Where the history must end up: the last state; with its submission fields too once a poll brought that state. */
export function convergedState(h: History, sent: Delivery[]): { progress: Task; full: boolean } {
  const final = h.states[h.states.length - 1];
  return { progress: final, full: sent.some((d) => d.shape === 'poll' && d.state === final) };
}

const SUBMISSION = ['submitted_at', 'args', 'kwargs'];

/** The view ends on the last state: equal in everything but submission fields, and in those too when `full`. */
export function convergenceProblem(got: Task | undefined, expected: { progress: Task; full: boolean }): string | undefined {
  if (!got) return 'the task is missing';
  for (const key of Object.keys(expected.progress)) {
    if (!expected.full && SUBMISSION.includes(key)) continue;
    if (JSON.stringify(got[key]) !== JSON.stringify(expected.progress[key])) {
      return `${key}: got ${JSON.stringify(got[key])}, expected ${JSON.stringify(expected.progress[key])}`;
    }
  }
  return undefined;
}
