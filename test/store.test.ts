import { describe, expect, it } from 'vitest';
import { compareProgress } from '../src/order';
import { TaskStore } from '../src/store';
import type { Task } from '../src/index';
import { fixtureFrames, task } from './helpers/tasks';

const pending = task();
const running = task({ status: 'running', submitted_at: null, started_at: '2026-11-25T17:33:43.374187', args: [], kwargs: {} });
const retrying = task({ ...running, status: 'retrying', retries: 1 });
const running1 = task({ ...running, retries: 1, started_at: '2026-11-25T17:33:43.930678' });
const failed = task({ ...running1, status: 'failed', error: 'boom 0', finished_at: '2026-11-25T17:33:43.982052' });
const success = task({ ...running, status: 'success', result: { ok: true }, finished_at: '2026-11-25T17:33:43.373144' });

function replay(store: TaskStore, steps: Task[], fromPoll = false): (Task | undefined)[] {
  return steps.map((step) => store.upsert(step, fromPoll));
}

describe('the order of task states', () => {
  it('follows Flowrra: pending < running < retrying(1) < running(1) < failed', () => {
    const chain = [pending, running, retrying, running1, failed];
    for (let i = 1; i < chain.length; i++) expect(compareProgress(chain[i], chain[i - 1])).toBeGreaterThan(0);
  });

  it('puts an unknown status with finished_at after running, and one without it level with running', () => {
    expect(compareProgress(task({ ...running, status: 'revoked', finished_at: '2026-11-25T17:33:44' }), running)).toBeGreaterThan(0);
    expect(compareProgress(task({ ...running, status: 'revoked' }), running)).toBe(0);
  });

  it('does not read a status named like an Object.prototype member as a phase', () => {
    expect(compareProgress(task({ ...running, status: 'constructor' }), running)).toBe(0);
    expect(compareProgress(task({ ...running, status: '__proto__' }), running)).toBe(0);
  });
});

describe('the store', () => {
  it('applies a retry sequence in order, each step once', () => {
    const store = new TaskStore(100);
    const applied = replay(store, [pending, running, retrying, running1, failed]);
    expect(applied.every(Boolean)).toBe(true);
    expect(store.tasks.get('task-1')).toMatchObject({ status: 'failed', retries: 1, error: 'boom 0' });
    expect(store.version).toBe(5);
  });

  it('does not roll back: a stale poll after a live success is dropped', () => {
    const store = new TaskStore(100);
    replay(store, [pending, running, success]);
    expect(store.upsert(running, true)).toBeUndefined();
    expect(store.upsert(pending, true)).toBeUndefined();
    expect(store.tasks.get('task-1')?.status).toBe('success');
    expect(store.version).toBe(3);
  });

  it('applies out-of-order arrivals only when newer', () => {
    const store = new TaskStore(100);
    const applied = replay(store, [running1, pending, retrying, failed, running]);
    expect(applied.map(Boolean)).toEqual([true, false, false, true, false]);
    expect(store.tasks.get('task-1')?.status).toBe('failed');
  });

  it('fires nothing for a duplicate', () => {
    const store = new TaskStore(100);
    expect(store.upsert(running, false)).toBeDefined();
    expect(store.upsert({ ...running }, true)).toBeUndefined();
    expect(store.version).toBe(1);
  });

  it('applies a same-step update with different content (newest arrival wins)', () => {
    const store = new TaskStore(100);
    store.upsert(success, false);
    const corrected = store.upsert({ ...success, result: { ok: false } }, true);
    expect(corrected?.result).toEqual({ ok: false });
  });

  it('keeps submitted_at, args and kwargs from the pending frame', () => {
    const store = new TaskStore(100);
    replay(store, [pending, running, success]);
    expect(store.tasks.get('task-1')).toMatchObject({
      status: 'success',
      submitted_at: pending.submitted_at,
      args: [0],
      kwargs: { delay: 0.2 },
      started_at: running.started_at,
    });
  });

  it('keeps a stored field that a later update leaves out, and replaces the task object', () => {
    const store = new TaskStore(100);
    const first = store.upsert(pending, false);
    const second = store.upsert({ task_id: 'task-1', status: 'running', started_at: running.started_at }, false);
    expect(second).not.toBe(first);
    expect(second).toMatchObject({ task_name: 'sleep_ok', status: 'running' });
    expect(first?.status).toBe('pending');
  });

  it('deletes, and a later poll does not bring the task back', () => {
    const store = new TaskStore(100);
    store.upsert(running, false);
    expect(store.remove('task-1')).toMatchObject({ status: 'running' });
    expect(store.tasks.has('task-1')).toBe(false);
    expect(store.upsert(success, true)).toBeUndefined();
    expect(store.remove('task-1')).toBeUndefined();
  });

  it('stays within maxTasks, evicting finished tasks oldest first', () => {
    const store = new TaskStore(3);
    store.upsert(task({ task_id: 'a', status: 'running' }), false);
    store.upsert(task({ task_id: 'b', status: 'success' }), false);
    store.upsert(task({ task_id: 'c', status: 'failed' }), false);
    store.upsert(task({ task_id: 'd', status: 'pending' }), false);
    expect([...store.tasks.keys()]).toEqual(['a', 'c', 'd']);
    store.upsert(task({ task_id: 'e', status: 'pending' }), false);
    expect([...store.tasks.keys()]).toEqual(['a', 'd', 'e']);
    store.upsert(task({ task_id: 'f', status: 'pending' }), false);
    expect([...store.tasks.keys()]).toEqual(['d', 'e', 'f']);
  });

  it('ends with every fixture task in its final state, whichever flavor', () => {
    for (const [flavor, frames] of fixtureFrames()) {
      const store = new TaskStore(100);
      const last = new Map<string, Task>();
      for (const raw of frames) {
        const { task: t } = JSON.parse(raw);
        expect(store.upsert(t, false), `${flavor}: ${t.status}`).toBeDefined();
        last.set(t.task_id, t);
      }
      for (const [id, t] of last) expect(store.tasks.get(id)).toMatchObject({ status: t.status, finished_at: t.finished_at });
    }
  });
});

describe('the store past maxTasks', () => {
  const done = (id: string, second: number) =>
    task({ task_id: id, status: 'success', finished_at: `2026-11-25T17:34:${String(second).padStart(2, '0')}` });

  it('never moves an evicted task back: a late older state is dropped, a known state is no change', () => {
    const store = new TaskStore(2);
    const x = done('x', 1);
    replay(store, [x, done('y', 2), done('z', 3)]);
    expect(store.tasks.has('x')).toBe(false);
    expect(store.upsert(task({ task_id: 'x', status: 'running', started_at: '2026-11-25T17:34:00' }), false)).toBeUndefined();
    expect(store.upsert({ ...x }, true)).toBeUndefined();
    expect(store.upsert({ ...x }, false)).toBeUndefined();
    const retried = store.upsert(task({ task_id: 'x', status: 'running', retries: 1 }), false);
    expect(retried).toMatchObject({ task_id: 'x', retries: 1 });
  });

  it('remembers at least the last 1000 evicted tasks (a poll answer), however many went before', () => {
    const store = new TaskStore(1);
    const ids = Array.from({ length: 3500 }, (_, i) => `t${i}`);
    replay(store, ids.map((id) => done(id, 1)));
    const late = (id: string) => store.upsert(task({ task_id: id, status: 'running', started_at: '2026-11-25T17:34:00' }), true);
    // The last one is still stored; the 1000 before it were evicted most recently.
    expect(ids.slice(-1001, -1).map(late).filter(Boolean)).toEqual([]);
  });

  it('keeps a newly arrived finished task when every other stored task is unfinished', () => {
    const store = new TaskStore(2);
    replay(store, [task({ task_id: 'a' }), task({ task_id: 'b' })]);
    const arrived = store.upsert(done('c', 1), false);
    expect(arrived).toBeDefined();
    expect([...store.tasks.keys()]).toEqual(['b', 'c']);
  });
});
