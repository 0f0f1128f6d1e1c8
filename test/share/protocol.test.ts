import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TaskClientError } from '../../src/index';
import { decodeJson, isRecord, parseTask } from '../../src/frame';
import { pageIsHidden, watchPage } from '../../src/page';
import { readMessage as readWith } from '../../src/share/protocol';
import { pollution } from '../reliability/helpers/pollution';

// The client's own pieces, as the client hands them to the group.
const read = (data: unknown) => readWith(data, [TaskClientError, decodeJson, isRecord, parseTask, pageIsHidden, watchPage]);

const task = { task_id: 't1', status: 'running', started_at: '2026-11-25T17:33:43.170442' };

describe('channel messages', () => {
  it('accepts each message the group sends, as sent', () => {
    const messages = [
      { t: 'hello', f: 'a' },
      { t: 'beat', f: 'a', state: 'live', hidden: false },
      { t: 'change', f: 'a', type: 'task.update', task, source: 'ws' },
      { t: 'change', f: 'a', type: 'task.delete', task: { task_id: 't1' }, source: 'poll' },
      { t: 'tasks', f: 'a', to: 'b', tasks: [task, { ...task, task_id: 't2' }] },
      { t: 'error', f: 'a', kind: 'poll', message: 'poll: HTTP 500', raw: 'oops', status: 500 },
      { t: 'error', f: 'a', kind: 'token', message: 'token: no answer within 4000 ms' },
      { t: 'refresh', f: 'b', id: 1 },
      { t: 'done', f: 'a', to: 'b', id: 1 },
    ];
    for (const message of messages) expect(read(JSON.stringify(message))).toEqual(message);
  });

  it('takes JSON text only, of any size: a task the leader applied may be larger than any one frame', () => {
    const big = { t: 'change', f: 'a', type: 'task.update', task: { ...task, result: 'é'.repeat(2 << 20) }, source: 'ws' };
    expect(read(JSON.stringify(big))).toEqual(big);
    expect(read({ t: 'hello', f: 'a' })).toMatchObject({ kind: 'parse', message: 'channel: expected JSON text, got binary data' });
    expect(read('x'.repeat(2 << 20))).toMatchObject({ kind: 'parse', message: expect.stringContaining('channel: invalid JSON') });
  });

  it('reports JSON text that is not an object (null included) as not a message, without throwing', () => {
    for (const text of ['null', '1', '"hello"', 'true', '[]', '[{"t":"hello","f":"a"}]']) {
      expect(read(text)).toMatchObject({ kind: 'validation', message: 'channel: not a message of this group' });
    }
  });

  it('never throws, pollutes nothing, and whatever it accepts has the shape the group relies on', () => {
    const key = fc.constantFrom('t', 'f', 'to', 'id', 'state', 'hidden', 'type', 'source', 'task', 'tasks', 'kind', 'message', 'raw', 'status', '__proto__', 'constructor');
    const value = fc.oneof(
      fc.constantFrom('hello', 'beat', 'change', 'tasks', 'error', 'refresh', 'done', 'live', 'closed', 'task.update', 'task.delete', 'ws', 'poll', 'auth', 'token', 'listener', '__proto__'),
      fc.constant(task),
      fc.constant([task, {}]),
      fc.jsonValue({ maxDepth: 3 }),
    );
    const message = fc.dictionary(key, value, { maxKeys: 8 }).map((object) =>
      // Written out by hand so that a `__proto__` key is an own key of the text, as from another tab.
      `{${Object.entries(object).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'}`).join(',')}}`,
    );
    fc.assert(
      fc.property(fc.oneof(message, fc.string(), fc.jsonValue(), fc.jsonValue().map((value) => JSON.stringify(value))), (data) => {
        const result = read(data);
        expect(pollution()).toEqual([]);
        if (result instanceof TaskClientError) {
          expect(['parse', 'validation']).toContain(result.kind);
          return;
        }
        expect(typeof result.f).toBe('string');
        if (result.t === 'beat') expect(['idle', 'connecting', 'live', 'polling']).toContain(result.state);
        if (result.t === 'change') expect(typeof result.task.task_id).toBe('string');
        if (result.t === 'tasks') for (const item of result.tasks) expect(typeof item.status).toBe('string');
        if (result.t === 'error') expect(['parse', 'validation', 'unknown-type', 'poll', 'socket', 'auth', 'token']).toContain(result.kind);
        if (result.t === 'refresh' || result.t === 'done') expect(Number.isSafeInteger(result.id)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
