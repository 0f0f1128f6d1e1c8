import { describe, expect, it } from 'vitest';
import { parseFrame } from '../src/frame';
import { TaskClientError } from '../src/index';
import { fixtureFrames, frame, task } from './helpers/tasks';

const MAX = 1 << 20;

describe('frames from real Flowrra servers', () => {
  for (const [flavor, frames] of fixtureFrames()) {
    it(`accepts all ${frames.length} frames of ${flavor} as they are`, () => {
      expect(frames.length).toBeGreaterThan(0);
      for (const raw of frames) {
        const event = parseFrame(raw, MAX);
        expect(event).not.toBeInstanceOf(TaskClientError);
        expect(event).toEqual(JSON.parse(raw));
      }
    });
  }

  it('covers every status Flowrra sends', () => {
    const statuses = new Set([...fixtureFrames().values()].flat().map((raw) => JSON.parse(raw).task.status));
    expect([...statuses].sort()).toEqual(['failed', 'pending', 'retrying', 'running', 'success']);
  });

  it('keeps unknown keys and accepts an unknown status', () => {
    const event = parseFrame(frame(task({ status: 'revoked', queue: 'high' })), MAX);
    expect(event).toMatchObject({ task: { status: 'revoked', queue: 'high' } });
  });

  it('accepts a delete that names only the task', () => {
    expect(parseFrame('{"type": "task.delete", "task": {"task_id": "a"}}', MAX)).toEqual({ type: 'task.delete', task: { task_id: 'a' } });
  });
});

const valid = () => JSON.parse(frame(task())) as { type: string; task: Record<string, unknown> };
const withTask = (patch: Record<string, unknown>) => {
  const f = valid();
  Object.assign(f.task, patch);
  return JSON.stringify(f);
};
const without = (key: string) => {
  const f = valid();
  delete f.task[key];
  return JSON.stringify(f);
};

describe('malformed frames', () => {
  it.each([
    ['invalid JSON', '{"type": "task.update", "task": {', 'parse', /frame: invalid JSON/],
    ['a truncated frame', frame(task()).slice(0, 50), 'parse', /invalid JSON/],
    ['an empty frame', '', 'parse', /invalid JSON/],
    ['a binary frame', new ArrayBuffer(8), 'parse', /frame: expected JSON text, got binary data/],
    ['a JSON string', '"task.update"', 'validation', /\(root\): expected object, got "task.update"/],
    ['a JSON array', '[1,2]', 'validation', /\(root\): expected object/],
    ['null', 'null', 'validation', /\(root\): expected object, got null/],
    ['a missing type', JSON.stringify({ task: task() }), 'validation', /type: expected string, got nothing/],
    ['a numeric type', JSON.stringify({ type: 1, task: task() }), 'validation', /type: expected string, got 1/],
    ['an unknown type', JSON.stringify({ type: 'task.archived', task: task() }), 'unknown-type', /unknown event type "task.archived"/],
    ['a missing task', '{"type": "task.update"}', 'validation', /task: expected object, got nothing/],
    ['a task that is a list', '{"type": "task.update", "task": []}', 'validation', /task: expected object/],
    ['a missing task_id', without('task_id'), 'validation', /task.task_id: expected non-empty string, got nothing/],
    ['an empty task_id', withTask({ task_id: '' }), 'validation', /task.task_id: expected non-empty string, got ""/],
    ['a numeric task_id', withTask({ task_id: 42 }), 'validation', /task.task_id: expected non-empty string, got 42/],
    ['a missing status', without('status'), 'validation', /task.status: expected non-empty string, got nothing/],
    ['retries as a string', withTask({ retries: '2' }), 'validation', /task.retries: expected integer >= 0, got "2"/],
    ['fractional retries', withTask({ retries: 1.5 }), 'validation', /task.retries: expected integer >= 0, got 1.5/],
    ['negative retries', withTask({ retries: -1 }), 'validation', /task.retries: expected integer >= 0, got -1/],
    ['args as an object', withTask({ args: { a: 1 } }), 'validation', /task.args: expected array/],
    ['kwargs as a list', withTask({ kwargs: [1] }), 'validation', /task.kwargs: expected object, got \[1\]/],
    ['a numeric task_name', withTask({ task_name: 7 }), 'validation', /task.task_name: expected string or null, got 7/],
    ['an error that is an object', withTask({ error: { msg: 'x' } }), 'validation', /task.error: expected string or null/],
    ['a timestamp that is not ISO', withTask({ started_at: 'yesterday' }), 'validation', /task.started_at: expected ISO-8601 timestamp or null, got "yesterday"/],
    ['an epoch timestamp', withTask({ finished_at: 1764091223 }), 'validation', /task.finished_at: expected ISO-8601 timestamp/],
    ['a delete without task_id', '{"type": "task.delete", "task": {}}', 'validation', /task.task_id: expected non-empty string/],
  ])('rejects %s', (_name, data, kind, message) => {
    const error = parseFrame(data, MAX);
    expect(error).toBeInstanceOf(TaskClientError);
    expect(error).toMatchObject({ kind, message: expect.stringMatching(message) });
  });

  it('names every wrong field in one message', () => {
    const error = parseFrame(withTask({ retries: '2', args: 'x' }), MAX) as TaskClientError;
    expect(error.message).toContain('task.retries: expected integer >= 0, got "2"');
    expect(error.message).toContain('task.args: expected array, got "x"');
  });

  it('rejects a frame over maxFrameBytes before parsing, counting bytes, not characters', () => {
    const big = frame(task({ result: 'x'.repeat(2000) }));
    expect(parseFrame(big, 1000)).toMatchObject({ kind: 'parse', message: expect.stringMatching(/more than maxFrameBytes \(1000\) bytes/) });
    const wide = frame(task({ result: '€'.repeat(400) })); // ~650 characters, ~1450 bytes
    expect(wide.length).toBeLessThan(1000);
    expect(parseFrame(wide, 1000)).toMatchObject({ kind: 'parse', message: 'frame: more than maxFrameBytes (1000) bytes of UTF-8' });
    expect(parseFrame(wide, 2000)).not.toBeInstanceOf(TaskClientError);
  });

  it('cuts the raw payload to 1 KiB', () => {
    const error = parseFrame('{' + 'x'.repeat(5000), MAX) as TaskClientError;
    expect(error.raw).toHaveLength(1024);
  });
});
