import type { Task } from './schema';

/*
 * Flowrra sends no sequence numbers, so "newer" is read from the payload: more retries first, then
 * the phase (pending < retrying < running < finished), then the latest timestamp.
 */

// Each known status at the index of its phase, except `failed`: finished, as `success` is.
const PHASES = ['pending', 'retrying', 'running', 'success', 'failed'];
const FINISHED = 3;

function phase(task: Task): number {
  // An array search, not a lookup table: a status such as "constructor" must not hit Object.prototype.
  const known = PHASES.indexOf(task.status);
  // An unknown status counts as running, or as finished once it has a finish time.
  return known < 0 ? (task.finished_at ? FINISHED : 2) : Math.min(known, FINISHED);
}

export function isFinished(task: Task): boolean {
  return phase(task) === FINISHED;
}

/** The latest of a task's timestamps, `''` when it has none. Naive ISO-8601 strings of one server sort as text. */
export function latestTimestamp(task: Task): string {
  let max = '';
  for (const time of [task.submitted_at, task.started_at, task.finished_at]) if (time && time > max) max = time;
  return max;
}

/** Negative when `a` is older than `b`, positive when newer, 0 when the order key is the same. */
export function compareProgress(a: Task, b: Task): number {
  const byStep = (a.retries ?? 0) - (b.retries ?? 0) || phase(a) - phase(b);
  if (byStep) return byStep;
  const ta = latestTimestamp(a);
  const tb = latestTimestamp(b);
  return ta < tb ? -1 : ta > tb ? 1 : 0;
}
