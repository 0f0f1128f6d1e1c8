import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Task } from '../../src/index';

const FIXTURES = join(__dirname, '..', 'fixtures');

/** Real frames captured from the Flowrra servers, by flavor. */
export function fixtureFrames(): Map<string, string[]> {
  const frames = new Map<string, string[]>();
  for (const file of readdirSync(FIXTURES).filter((name) => name.endsWith('.frames.jsonl'))) {
    frames.set(file, readFileSync(join(FIXTURES, file), 'utf8').split('\n').filter(Boolean));
  }
  return frames;
}

/** A task in Flowrra's shape with every key in order; `patch` overrides. */
export function task(patch: Partial<Task> & { task_id?: string } = {}): Task {
  return {
    task_id: 'task-1',
    status: 'pending',
    task_name: 'sleep_ok',
    result: null,
    error: null,
    submitted_at: '2026-11-25T17:33:43.170442',
    started_at: null,
    finished_at: null,
    retries: 0,
    args: [0],
    kwargs: { delay: 0.2 },
    ...patch,
  };
}

export function frame(t: Task, type = 'task.update'): string {
  return JSON.stringify({ type, task: t });
}
