import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { randomSpec } from '../../server/simulator';
import type { Task } from '../../server/index';
import { connect, start } from './helpers';

const fixtureDir = join(__dirname, '..', 'fixtures');
const STAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/;

/** What each step of a task looks like, without the values that differ run to run. */
function shape(tasks: Task[]) {
  return tasks.map((t, i) => ({
    status: t.status,
    retries: t.retries,
    result: t.result === null ? null : 'set',
    error: t.error === null ? null : 'set',
    submitted_at: t.submitted_at === null ? null : 'set',
    started_at: t.started_at === null ? null : i > 0 && t.started_at === tasks[i - 1].started_at ? 'kept' : 'new',
    finished_at: t.finished_at === null ? null : 'set',
    args: t.args.length === 0 ? 'empty' : 'set',
    kwargs: Object.keys(t.kwargs).length === 0 ? 'empty' : 'set',
  }));
}

/** Per fixture file, the shape of the first task with that name. */
function fixtureShapes(taskName: string) {
  return readdirSync(fixtureDir)
    .filter((name) => name.endsWith('.frames.jsonl'))
    .map((name) => {
      const tasks = readFileSync(join(fixtureDir, name), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line).task as Task);
      const id = tasks.find((t) => t.task_name === taskName)!.task_id;
      return shape(tasks.filter((t) => t.task_id === id));
    });
}

describe('simulated tasks', () => {
  it('succeed with the frames a real Flowrra sends', async () => {
    const [expected, ...others] = fixtureShapes('sleep_ok');
    for (const other of others) expect(other).toEqual(expected);

    const server = await start();
    const peer = await connect(server);
    const id = server.submit({ name: 'sleep_ok', duration_ms: 10, args: [0], kwargs: { delay: 0.2 } });
    const tasks = await peer.tasksUntil(id, 'success');
    expect(shape(tasks)).toEqual(expected);
    expect(tasks[0]).toMatchObject({ task_name: 'sleep_ok', args: [0], kwargs: { delay: 0.2 } });
    expect(tasks[2].result).toEqual({ ok: true, slept: 0.01 });
    for (const t of tasks) for (const stamp of [t.submitted_at, t.started_at, t.finished_at]) if (stamp) expect(stamp).toMatch(STAMP);
    expect(tasks[2].finished_at! > tasks[2].started_at!).toBe(true);
  });

  it('fail through retrying and running again, like a real Flowrra', async () => {
    const [expected, ...others] = fixtureShapes('always_fail');
    for (const other of others) expect(other).toEqual(expected);

    const server = await start();
    const peer = await connect(server);
    const id = server.submit({ name: 'always_fail', duration_ms: 5, fail: true, args: [0], error: 'boom 0' });
    const tasks = await peer.tasksUntil(id, 'failed');
    expect(shape(tasks)).toEqual(expected);
    expect(tasks[tasks.length - 1].error).toBe('boom 0');
  });

  it('retry max_retries times, then fail with the last retries count', async () => {
    const server = await start();
    const peer = await connect(server);
    const id = server.submit({ duration_ms: 1, fail: true, max_retries: 3 });
    const tasks = await peer.tasksUntil(id, 'failed');
    expect(tasks.map((t) => `${t.status}:${t.retries}`)).toEqual([
      'pending:0', 'running:0', 'retrying:1', 'running:1', 'retrying:2', 'running:2', 'retrying:3', 'running:3', 'failed:3',
    ]);
    expect(tasks[tasks.length - 1].error).toBe('Simulated failure');
    const starts = tasks.filter((t) => t.status === 'running').map((t) => t.started_at!);
    expect(new Set(starts).size).toBe(4);
  });

  it('fail at once with max_retries 0', async () => {
    const server = await start();
    const peer = await connect(server);
    const id = server.submit({ duration_ms: 1, fail: true, max_retries: 0 });
    const tasks = await peer.tasksUntil(id, 'failed');
    expect(tasks.map((t) => t.status)).toEqual(['pending', 'running', 'failed']);
  });

  it('keep the full TaskResult in the store', async () => {
    const server = await start();
    const peer = await connect(server);
    const id = server.submit({ name: 'n', duration_ms: 1, args: [1, 'x'], kwargs: { k: 2 }, result: 'done' });
    const tasks = await peer.tasksUntil(id, 'success');
    const [stored] = server.results();
    expect(stored).toEqual({ ...tasks.at(-1), submitted_at: tasks[0].submitted_at, args: [1, 'x'], kwargs: { k: 2 } });
    expect(stored.result).toBe('done');
  });

  it('generate demo tasks within the advertised ranges', () => {
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const specs = Array.from({ length: 2000 }, () => randomSpec(random));
    for (const spec of specs) {
      expect(spec.duration_ms).toBeGreaterThanOrEqual(300);
      expect(spec.duration_ms).toBeLessThanOrEqual(3000);
    }
    const failing = specs.filter((s) => s.fail).length / specs.length;
    expect(failing).toBeGreaterThan(0.1);
    expect(failing).toBeLessThan(0.2);
  });

  it('--simulate submits tasks on its own', async () => {
    const server = await start({ simulate: 50 });
    const peer = await connect(server);
    const ids = await peer.until(() => {
      const pending = peer.frames.map((f) => JSON.parse(f).task as Task).filter((t) => t.status === 'pending');
      return pending.length >= 3 ? pending.map((t) => t.task_id) : undefined;
    });
    expect(new Set(ids).size).toBe(ids.length);
  });
});
