import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket } from './helpers/fake-websocket';
import { json } from './helpers/fake-fetch';
import { MOUNT, harness, nextSocket, settle } from './helpers/client-harness';
import { fixtureFrames, frame, task } from './helpers/tasks';
import { createTaskClient } from '../src/index';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('live events', () => {
  it('connects without a subprotocol, goes live and delivers frames with source ws', async () => {
    const { client, events, states } = harness();
    const socket = await nextSocket();
    expect(socket.url).toBe('ws://flowrra.test/flowrra/ws');
    expect(socket.protocols).toBeUndefined();
    socket.accept();
    socket.receive(frame(task()));
    expect(states).toEqual(['live']);
    expect(client.state).toBe('live');
    expect(events).toEqual([{ type: 'task.update', task: task(), source: 'ws' }]);
    expect(client.tasks.get('task-1')).toEqual(task());
    client.close();
  });

  it('replays a real Flowrra capture into the final states', async () => {
    const frames = fixtureFrames().get('flowrra-fastapi.frames.jsonl')!;
    const { client, events } = harness();
    const socket = await nextSocket();
    socket.accept();
    for (const raw of frames) socket.receive(raw);
    expect(events).toHaveLength(frames.length);
    const statuses = [...client.tasks.values()].map((t) => t.status).sort();
    expect(statuses).toEqual(['failed', 'success', 'success', 'success', 'success', 'success']);
    client.close();
  });

  it('reports bad frames, keeps the socket, and delivers the next valid frame', async () => {
    const { client, events, errors } = harness();
    const socket = await nextSocket();
    socket.accept();
    socket.receive('{not json');
    socket.receive(new ArrayBuffer(4));
    socket.receive(JSON.stringify({ type: 'task.update', task: { ...task(), retries: '2' } }));
    socket.receive(JSON.stringify({ type: 'task.archived', task: task() }));
    socket.receive('x'.repeat(2000));
    socket.receive(frame(task()));
    expect(errors.map((e) => e.kind)).toEqual(['parse', 'parse', 'validation', 'unknown-type', 'parse']);
    expect(errors[2].message).toBe('task.retries: expected integer >= 0, got "2"');
    expect(errors[2].raw).toContain('"retries":"2"');
    expect(events).toHaveLength(1);
    expect(client.state).toBe('live');
    expect(socket.closedWith).toBeUndefined();
    client.close();
  }, 10_000);

  it('delivers task.create and task.delete, and a delete of an unknown task fires nothing', async () => {
    const { client, events } = harness();
    const socket = await nextSocket();
    socket.accept();
    socket.receive(frame(task(), 'task.create'));
    socket.receive('{"type": "task.delete", "task": {"task_id": "task-1"}}');
    socket.receive('{"type": "task.delete", "task": {"task_id": "nobody"}}');
    expect(events.map((e) => [e.type, e.task.task_id])).toEqual([
      ['task.create', 'task-1'],
      ['task.delete', 'task-1'],
    ]);
    expect(client.tasks.size).toBe(0);
    client.close();
  });

  it('reports a subscriber that throws and still calls the others', async () => {
    const { client, events, errors } = harness();
    client.subscribe(() => {
      throw new Error('render failed');
    });
    const socket = await nextSocket();
    socket.accept();
    socket.receive(frame(task()));
    expect(events).toHaveLength(1);
    expect(errors).toMatchObject([{ kind: 'listener', message: expect.stringContaining('render failed') }]);
    client.close();
  });

  it('counts versions so that a snapshot reader can tell changes apart', async () => {
    const { client } = harness();
    const socket = await nextSocket();
    socket.accept();
    const before = client.version;
    socket.receive(frame(task()));
    socket.receive(frame(task()));
    expect(client.version).toBe(before + 1);
    client.close();
  });
});

describe('creation', () => {
  it('a lazy client stays idle, with no socket, until the first subscriber', async () => {
    FakeWebSocket.reset();
    const client = createTaskClient({ url: MOUNT, lazy: true, WebSocket: FakeWebSocket as never, fetch: vi.fn() as never });
    await vi.advanceTimersByTimeAsync(5000);
    expect(client.state).toBe('idle');
    expect(FakeWebSocket.all).toHaveLength(0);
    client.subscribe(() => {});
    expect(client.state).toBe('connecting');
    await nextSocket();
    client.close();
  });

  it('throws config errors for bad options', () => {
    expect(() => createTaskClient({ url: MOUNT, pollInterval: -5, WebSocket: FakeWebSocket as never })).toThrow(/pollInterval: expected a number from 1 to 2147483647, got -5/);
    expect(() => createTaskClient({ url: MOUNT, reconnect: { maxDelay: Number.NaN }, WebSocket: FakeWebSocket as never })).toThrow('reconnect.maxDelay: expected a number from 1 to 2147483647, got NaN');
    expect(() => createTaskClient({ url: MOUNT, token: 5 as never, WebSocket: FakeWebSocket as never })).toThrow(/token: expected a string or a function/);
  });

  it.each([
    [{ pollTimeout: Infinity }, /pollTimeout: expected a number from 1 to 2147483647, got Infinity/],
    [{ pollInterval: 2 ** 31 }, /pollInterval: expected a number from 1 to 2147483647, got 2147483648/],
    [{ staleAfter: Infinity }, /staleAfter: expected a number from 0 to 2147483647, got Infinity/],
    [{ reconnect: { minDelay: 0 } }, /reconnect.minDelay: expected a number from 1 to 2147483647, got 0/],
    [{ reconnect: { maxDelay: Infinity } }, /reconnect.maxDelay: expected a number from 1 to 2147483647, got Infinity/],
    [{ reconnect: { connectTimeout: 1e12 } }, /reconnect.connectTimeout: expected a number from 1 to 2147483647/],
    [{ reconnect: { minUptime: Infinity } }, /reconnect.minUptime: expected a number from 1 to 2147483647/],
    [{ reconnect: { minDelay: 2000, maxDelay: 1000 } }, /reconnect.maxDelay: expected a number >= reconnect.minDelay \(2000\), got 1000/],
  ])('rejects a time setTimeout cannot wait: %o', (options, message) => {
    expect(() => createTaskClient({ url: MOUNT, WebSocket: FakeWebSocket as never, ...options })).toThrow(message);
  });

  it('accepts the longest wait setTimeout can hold, and Infinity for maxRetries', () => {
    const client = createTaskClient({ url: MOUNT, lazy: true, WebSocket: FakeWebSocket as never, staleAfter: 2 ** 31 - 1, reconnect: { maxRetries: Infinity } });
    expect(client.state).toBe('idle');
    client.close();
  });

  it('on() refuses an event it does not have, naming the ones it has', () => {
    const client = createTaskClient({ url: MOUNT, lazy: true, WebSocket: FakeWebSocket as never });
    expect(() => client.on('change' as never, () => {})).toThrowError(
      expect.objectContaining({ kind: 'config', message: 'on: expected "state", "error" or "role", got "change"' }),
    );
    expect(() => client.on('toString' as never, () => {})).toThrowError(expect.objectContaining({ kind: 'config' }));
    client.close();
  });

  it('in Node without a WebSocket says to pass one', () => {
    vi.stubGlobal('WebSocket', undefined);
    try {
      expect(() => createTaskClient({ url: MOUNT })).toThrowError(expect.objectContaining({ kind: 'config', message: expect.stringMatching(/"ws" package/) }));
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('with a relative url in Node says to pass an absolute URL', () => {
    expect(() => createTaskClient({ WebSocket: FakeWebSocket as never })).toThrowError(expect.objectContaining({ kind: 'config', message: expect.stringMatching(/absolute URL/) }));
  });
});

describe('tokens', () => {
  it('sends the token as a query parameter on the socket and a bearer header on polls, asking again each time', async () => {
    let n = 0;
    const { client, http } = harness({ token: () => `secret-${++n}` });
    const first = await nextSocket();
    expect(new URL(first.url).searchParams.get('token')).toBe('secret-1');
    first.drop();
    await settle();
    expect(http.calls[0].headers.Authorization).toMatch(/^Bearer secret-\d$/);
    const second = await nextSocket();
    expect(new URL(second.url).searchParams.get('token')).not.toBe('secret-1');
    client.close();
  });

  it('never puts the token into an error', async () => {
    const { client, http, errors } = harness({ token: 'hunter2-token' });
    http.answerNext(new Response('denied for hunter2-token', { status: 401 }));
    const socket = await nextSocket();
    socket.drop();
    await settle();
    socket.receive('{bad');
    const failing = harness({ token: () => Promise.reject(new Error('refresh failed for hunter2-token')) });
    await nextSocket();
    const all = [...errors, ...failing.errors];
    expect(all.length).toBeGreaterThan(0);
    for (const error of all) {
      expect(error.message).not.toContain('hunter2');
      expect(String(error.raw ?? '')).not.toContain('hunter2-token');
    }
    client.close();
    failing.client.close();
  });
});
