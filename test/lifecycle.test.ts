import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket } from './helpers/fake-websocket';
import { fakeFetch, json } from './helpers/fake-fetch';
import { MOUNT, harness, nextSocket, settle } from './helpers/client-harness';
import { frame, task } from './helpers/tasks';
import { createTaskClient, type ConnectionState, type TaskClient, type TaskClientOptions, type WebSocketLike } from '../src/index';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

/** After close(): no timer, no open socket, and nothing new however long one waits. */
async function expectNothingLeft(client: TaskClient, calls: () => number): Promise<void> {
  await settle();
  expect(client.state).toBe('closed');
  expect(vi.getTimerCount()).toBe(0);
  expect(FakeWebSocket.all.filter((socket) => socket.readyState !== 3)).toEqual([]);
  const sockets = FakeWebSocket.all.length;
  const polls = calls();
  await vi.advanceTimersByTimeAsync(120_000);
  expect(FakeWebSocket.all).toHaveLength(sockets);
  expect(calls()).toBe(polls);
}

describe('close() from inside a listener', () => {
  it.each<[string, ConnectionState, TaskClientOptions, (socket: FakeWebSocket) => void]>([
    ['live', 'live', {}, (socket) => socket.accept()],
    ['polling, after a drop', 'polling', {}, (socket) => (socket.accept(), socket.drop())],
    ['connecting, after a drop with polling off', 'connecting', { pollUrl: false }, (socket) => (socket.accept(), socket.drop())],
    ['idle, after a fatal close with polling off', 'idle', { pollUrl: false }, (socket) => (socket.accept(), socket.drop(4401))],
  ])('in a %s state listener leaves nothing behind', async (_name, at, options, drive) => {
    const { client, http } = harness(options);
    client.on('state', (state) => state === at && client.close());
    drive(await nextSocket());
    await expectNothingLeft(client, () => http.calls.length);
  });

  it('in a polling listener reached by connectTimeout leaves nothing behind', async () => {
    const { client, http } = harness({ reconnect: { connectTimeout: 1000 } });
    client.on('state', (state) => state === 'polling' && client.close());
    await nextSocket();
    await vi.advanceTimersByTimeAsync(1000);
    await expectNothingLeft(client, () => http.calls.length);
  });

  it("in a lazy client's connecting listener opens no socket", async () => {
    FakeWebSocket.reset();
    const http = fakeFetch();
    const client = createTaskClient({ url: MOUNT, lazy: true, WebSocket: FakeWebSocket as unknown as WebSocketLike, fetch: http.fetch });
    client.on('state', (state) => state === 'connecting' && client.close());
    client.subscribe(() => {});
    await expectNothingLeft(client, () => http.calls.length);
    expect(FakeWebSocket.all).toHaveLength(0);
  });

  it('in a subscriber, mid-way through a poll answer, applies nothing more', async () => {
    const { client, http } = harness();
    const seen: string[] = [];
    client.subscribe((event) => {
      seen.push(event.task.task_id);
      client.close();
    });
    http.answerNext(json([task({ task_id: 'b' }), task({ task_id: 'a' })]));
    (await nextSocket()).accept();
    await expectNothingLeft(client, () => http.calls.length);
    expect(seen).toEqual(['a']);
  });

  it('in an error listener leaves nothing behind', async () => {
    const { client, http } = harness();
    client.on('error', () => client.close());
    const socket = await nextSocket();
    socket.accept();
    socket.receive('{bad');
    await expectNothingLeft(client, () => http.calls.length);
  });
});

describe('a WebSocket constructor or URL provider that throws', () => {
  it('is reported as a socket error and followed by a normal retry', async () => {
    let throws = 1;
    class Throwing extends FakeWebSocket {
      constructor(url: string, protocols?: string | string[]) {
        if (throws-- > 0) throw new SyntaxError(`cannot open ${url}`);
        super(url, protocols);
      }
    }
    const { client, errors } = harness({ WebSocket: Throwing as unknown as WebSocketLike, token: 'sekrit-token' });
    const socket = await nextSocket();
    expect(errors).toMatchObject([{ kind: 'socket', message: expect.stringContaining('cannot open') }]);
    expect(errors[0].message).not.toContain('sekrit-token');
    socket.accept();
    expect(client.state).toBe('live');
    client.close();
  });

  it('does not connect without the token when the token function fails, and retries it', async () => {
    let fails = 2;
    const token = () => (fails-- > 0 ? Promise.reject(new Error('refresh failed')) : 'fresh');
    const { client, errors } = harness({ token, pollUrl: false, reconnect: { minDelay: 100, maxDelay: 100 } });
    const socket = await nextSocket();
    expect(new URL(socket.url).searchParams.get('token')).toBe('fresh');
    expect(FakeWebSocket.all).toHaveLength(1);
    expect(errors.map((e) => e.kind)).toEqual(['auth', 'auth']);
    client.close();
  });
});

describe('tokens in errors', () => {
  it('redacts a token that crosses the 1 KiB cut of raw', async () => {
    const token = 'crossing-token-0123456789';
    const { client, errors } = harness({ token });
    const socket = await nextSocket();
    socket.accept();
    socket.receive('{' + 'x'.repeat(1010) + token);
    expect(errors).toHaveLength(1);
    expect(errors[0].raw!.length).toBeLessThanOrEqual(1024);
    expect(errors[0].raw).not.toContain('crossing');
    client.close();
  });

  it('redacts URL-encoded and JSON-escaped forms of the token', async () => {
    const token = 'a b/c+d=="e"&é';
    const { client, http, errors } = harness({ token, pollInterval: 1000 });
    const echoes = [encodeURIComponent(token), new URLSearchParams({ token }).toString().slice('token='.length), JSON.stringify(token).slice(1, -1)];
    // A success between the refusals: a run of identical failures is reported only once.
    for (const echo of echoes) {
      http.answerNext(new Response(`denied: ${echo}`, { status: 401 }));
      http.answerNext(new Response('[]', { status: 200 }));
    }
    (await nextSocket()).drop();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(errors.filter((e) => e.status === 401)).toHaveLength(3);
    for (const error of errors) {
      for (const echo of echoes) expect(error.raw ?? '').not.toContain(echo);
    }
    client.close();
  });
});

describe('after a fatal close', () => {
  it('retries once with a fresh token when token is a function, then stops', async () => {
    let n = 0;
    const { client, errors } = harness({ token: () => `token-${++n}`, pollUrl: false });
    const first = await nextSocket();
    first.accept();
    first.drop(4401);
    const second = await nextSocket();
    expect(new URL(second.url).searchParams.get('token')).toBe('token-2');
    second.accept();
    second.drop(4401);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(FakeWebSocket.all).toHaveLength(2);
    expect(client.state).toBe('idle');
    expect(errors.map((e) => e.kind)).toEqual(['auth', 'auth']);
    expect(errors[1].message).toMatch(/not reconnecting/);
    client.close();
  });

  it('stops at once when the token is a fixed string', async () => {
    const { client } = harness({ token: 'fixed', pollUrl: false });
    const socket = await nextSocket();
    socket.accept();
    socket.drop(4403);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(FakeWebSocket.all).toHaveLength(1);
    expect(client.state).toBe('idle');
    client.close();
  });

  it('retries once again after a connection that stayed up minUptime', async () => {
    let n = 0;
    const { client } = harness({ token: () => `token-${++n}`, pollUrl: false, reconnect: { minUptime: 5000 } });
    const first = await nextSocket();
    first.accept();
    first.drop(4401);
    const second = await nextSocket();
    second.accept();
    await vi.advanceTimersByTimeAsync(5000);
    second.drop(4401);
    (await nextSocket()).accept();
    expect(client.state).toBe('live');
    client.close();
  });
});

describe('client.reconnect()', () => {
  it('starts the socket again after a fatal close, and the client keeps polling until it is live', async () => {
    const { client, states } = harness();
    const socket = await nextSocket();
    socket.accept();
    socket.drop(4401);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeWebSocket.all).toHaveLength(1);
    expect(client.state).toBe('polling');
    client.reconnect();
    (await nextSocket()).accept();
    expect(client.state).toBe('live');
    expect(states).toEqual(['live', 'polling', 'live']);
    client.close();
  });

  it('starts the socket again after reconnect.maxRetries, with a fresh count', async () => {
    const { client, errors } = harness({ pollUrl: false, reconnect: { maxRetries: 1, minDelay: 10, maxDelay: 10 } });
    (await nextSocket()).fail();
    (await nextSocket()).fail();
    await vi.advanceTimersByTimeAsync(1000);
    expect(FakeWebSocket.all).toHaveLength(2);
    expect(client.state).toBe('idle');
    expect(errors.map((e) => e.kind)).toEqual(['socket']);
    client.reconnect();
    (await nextSocket()).fail();
    (await nextSocket()).accept();
    expect(client.state).toBe('live');
    client.close();
  });

  it('is a no-op while live and after close()', async () => {
    const { client } = harness();
    (await nextSocket()).accept();
    client.reconnect();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(FakeWebSocket.all).toHaveLength(1);
    client.close();
    client.reconnect();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(FakeWebSocket.all).toHaveLength(1);
    expect(client.state).toBe('closed');
  });

  it('is tried once when the browser comes back online after the socket stopped', async () => {
    const win = new EventTarget();
    vi.stubGlobal('window', win);
    vi.stubGlobal('document', Object.assign(new EventTarget(), { visibilityState: 'visible' }));
    const { client } = harness({ pollUrl: false, reconnect: { maxRetries: 0 } });
    (await nextSocket()).fail();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeWebSocket.all).toHaveLength(1);
    win.dispatchEvent(new Event('online'));
    (await nextSocket()).fail();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeWebSocket.all).toHaveLength(2);
    win.dispatchEvent(new Event('online'));
    (await nextSocket()).accept();
    expect(client.state).toBe('live');
    client.close();
  });
});

describe('a lazy client after its last subscriber leaves', () => {
  function lazyClient(options: TaskClientOptions = {}) {
    FakeWebSocket.reset();
    const http = fakeFetch();
    const client = createTaskClient({ url: MOUNT, lazy: true, WebSocket: FakeWebSocket as unknown as WebSocketLike, fetch: http.fetch, ...options });
    const states: ConnectionState[] = [];
    client.on('state', (state) => states.push(state));
    return { client, http, states };
  }

  it('closes the socket after lazyCloseTimeout and goes idle; the next subscribe reconnects and reconciles', async () => {
    const { client, http, states } = lazyClient({ lazyCloseTimeout: 2000 });
    const unsubscribe = client.subscribe(() => {});
    const socket = await nextSocket();
    socket.accept();
    await settle();
    unsubscribe();
    await vi.advanceTimersByTimeAsync(1990);
    expect(socket.readyState).toBe(1);
    await vi.advanceTimersByTimeAsync(20);
    expect(socket.readyState).toBe(3);
    expect(client.state).toBe('idle');
    expect(vi.getTimerCount()).toBe(0);
    const polls = http.calls.length;
    http.answerNext(json([task({ status: 'success', finished_at: '2026-11-25T17:40:00' })]));
    const events: string[] = [];
    client.subscribe((event) => events.push(event.task.status));
    (await nextSocket()).accept();
    await settle();
    expect(http.calls.length).toBe(polls + 1);
    expect(events).toEqual(['success']);
    expect(states).toEqual(['connecting', 'live', 'idle', 'connecting', 'live']);
    client.close();
  });

  it('stops polling too, and a subscriber back within the grace keeps everything open', async () => {
    const { client, http } = lazyClient({ lazyCloseTimeout: 2000, pollInterval: 500 });
    const first = client.subscribe(() => {});
    (await nextSocket()).drop();
    await settle();
    expect(client.state).toBe('polling');
    first();
    await vi.advanceTimersByTimeAsync(1000);
    const second = client.subscribe(() => {});
    await vi.advanceTimersByTimeAsync(5000);
    expect(client.state).toBe('polling');
    second();
    await vi.advanceTimersByTimeAsync(2000);
    expect(client.state).toBe('idle');
    const polls = http.calls.length;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(http.calls.length).toBe(polls);
    expect(FakeWebSocket.all.filter((socket) => socket.readyState !== 3)).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
    client.close();
  });

  it('does not close a client that is not lazy', async () => {
    const { client } = harness();
    const unsubscribe = client.subscribe(() => {});
    (await nextSocket()).accept();
    unsubscribe();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(client.state).toBe('live');
    client.close();
  });
});

describe('client.tasks', () => {
  it('is a read-only view: it has no way to change the store', async () => {
    const { client } = harness();
    const socket = await nextSocket();
    socket.accept();
    socket.receive(frame(task()));
    const view = client.tasks as unknown as Map<string, unknown>;
    expect(typeof view.set).not.toBe('function');
    expect(typeof view.delete).not.toBe('function');
    expect(typeof view.clear).not.toBe('function');
    expect(view.get('task-1')).toMatchObject({ status: 'pending' });
    expect([...client.tasks.keys()]).toEqual(['task-1']);
    expect(client.tasks.size).toBe(1);
    const seen: unknown[] = [];
    client.tasks.forEach((value, key, map) => seen.push(key, map === client.tasks));
    expect(seen).toEqual(['task-1', true]);
    client.close();
  });
});
