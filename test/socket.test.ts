import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RECONNECT_DEFAULTS } from '../src/backoff';
import type { DebugEvent } from '../src/debug';
import { TaskClientError } from '../src/errors';
import type { WebSocketLike } from '../src/options';
import { openSocket, type SocketConfig } from '../src/socket';
import { FakeWebSocket } from './helpers/fake-websocket';
import { nextSocket, settle } from './helpers/client-harness';

beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.reset();
});
afterEach(() => {
  vi.useRealTimers();
});

/** The reconnect loop on its own, on a FakeWebSocket, with what it reports recorded in order. */
function loop(overrides: Partial<SocketConfig> = {}) {
  const seen: string[] = [];
  const logged: DebugEvent[] = [];
  const handle = openSocket(
    {
      url: async () => 'ws://flowrra.test/flowrra/ws',
      WebSocket: FakeWebSocket as unknown as WebSocketLike,
      reconnect: { ...RECONNECT_DEFAULTS, minDelay: 100, maxDelay: 100 },
      isOnline: () => true,
      freshToken: false,
      log: (entry) => logged.push(entry),
      ...overrides,
    },
    {
      open: () => seen.push('open'),
      message: (data) => seen.push(`message ${data}`),
      close: (code, stopped) => seen.push(`close ${code}${stopped ? ' stopped' : ''}`),
      exhausted: (attempts) => seen.push(`exhausted ${attempts}`),
      error: (error) => seen.push(`error ${error.kind}`),
    },
  );
  return { handle, seen, logged };
}

describe('the reconnect loop', () => {
  it('drops a handshake that hangs past connectTimeout and counts it as a failed attempt', async () => {
    const { handle, seen, logged } = loop({ reconnect: { ...RECONNECT_DEFAULTS, connectTimeout: 1000, minDelay: 100, maxDelay: 100 } });
    const hanging = await nextSocket();
    const next = await nextSocket(1200);
    expect(hanging.closedWith).toBe(1000);
    expect(seen).toEqual(['close 1006']);
    expect(logged.find((entry) => entry.event === 'close')).toMatchObject({ code: 1006, reason: 'timeout', wasClean: false });
    next.accept();
    expect(seen).toEqual(['close 1006', 'open']);
    handle.close();
  });

  it('ignores a socket it dropped: a late message or close from it changes nothing', async () => {
    const { handle, seen } = loop();
    const first = await nextSocket();
    first.accept();
    // The dropped socket is told to close, but a real one may still deliver what it had in flight.
    first.close = () => {};
    handle.restart();
    const second = await nextSocket();
    first.receive('late');
    first.drop(1006);
    second.accept();
    second.receive('fresh');
    expect(seen).toEqual(['open', 'close 1000', 'open', 'message fresh']);
    expect(FakeWebSocket.all).toHaveLength(2);
    handle.close();
  });

  it('turns a throwing constructor and a rejected URL into errors and retries, never throwing', async () => {
    let calls = 0;
    function Throwing(url: string): WebSocket {
      if (++calls === 1) throw new Error('blocked by policy');
      return new FakeWebSocket(url) as unknown as WebSocket;
    }
    let urls = 0;
    const { handle, seen } = loop({
      WebSocket: Throwing as unknown as WebSocketLike,
      url: () => (++urls === 2 ? Promise.reject(new TaskClientError('auth', 'token: rejected')) : Promise.resolve('ws://flowrra.test/flowrra/ws')),
    });
    const socket = await nextSocket();
    socket.accept();
    expect(seen).toEqual(['error socket', 'close 1006', 'error auth', 'close 1006', 'open']);
    handle.close();
  });

  it('gives up after maxRetries + 1 attempts, and opens nothing after close()', async () => {
    const { handle, seen } = loop({ reconnect: { ...RECONNECT_DEFAULTS, maxRetries: 2, minDelay: 10, maxDelay: 10 } });
    for (let i = 0; i < 3; i++) (await nextSocket()).fail();
    await vi.advanceTimersByTimeAsync(1000);
    expect(seen).toEqual(['close 1006', 'close 1006', 'close 1006', 'exhausted 3']);
    expect(FakeWebSocket.all).toHaveLength(3);
    handle.close();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeWebSocket.all).toHaveLength(3);
  });

  it('waits while offline and goes at once when nudged', async () => {
    let online = false;
    const { handle } = loop({ isOnline: () => online });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeWebSocket.all).toHaveLength(0);
    online = true;
    handle.nudge();
    await settle();
    expect(FakeWebSocket.all).toHaveLength(1);
    handle.close();
  });

  it('close() while the URL is being made opens nothing', async () => {
    let resolve!: (url: string) => void;
    const { handle, seen } = loop({ url: () => new Promise<string>((r) => (resolve = r)) });
    await settle();
    handle.close();
    resolve('ws://flowrra.test/flowrra/ws');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeWebSocket.all).toHaveLength(0);
    expect(seen).toEqual([]);
  });
});
