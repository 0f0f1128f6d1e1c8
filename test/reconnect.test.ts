import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RECONNECT_DEFAULTS, backoffDelay } from '../src/backoff';
import { FakeWebSocket } from './helpers/fake-websocket';
import { json } from './helpers/fake-fetch';
import { harness, nextSocket, settle } from './helpers/client-harness';
import { frame, task } from './helpers/tasks';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Fails `count` attempts in a row and returns the wait before each new attempt. */
async function failedAttemptGaps(count: number): Promise<number[]> {
  const gaps: number[] = [];
  let socket = await nextSocket();
  for (let i = 0; i < count; i++) {
    const failedAt = Date.now();
    socket.fail();
    socket = await nextSocket(120_000);
    gaps.push(Date.now() - failedAt);
  }
  return gaps;
}

describe('reconnect backoff', () => {
  it('draws full jitter below a cap that doubles from minDelay and stops at maxDelay', () => {
    const top = (attempt: number) => backoffDelay(attempt, RECONNECT_DEFAULTS, () => 0.999999);
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((a) => Math.round(top(a)))).toEqual([800, 1600, 3200, 6400, 12800, 20000, 20000, 20000]);
    expect(backoffDelay(3, RECONNECT_DEFAULTS, () => 0)).toBe(0);
  });

  it('waits longer as attempts fail, never beyond maxDelay', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.999);
    const { client } = harness({ pollUrl: false, reconnect: { minDelay: 100, maxDelay: 1000 } });
    const gaps = await failedAttemptGaps(6);
    vi.restoreAllMocks();
    expect(gaps[1]).toBeGreaterThan(gaps[0]);
    expect(gaps[2]).toBeGreaterThan(gaps[1]);
    for (const gap of gaps) expect(gap).toBeLessThanOrEqual(1000 + 20);
    expect(gaps.at(-1)).toBeGreaterThanOrEqual(990);
    client.close();
  });

  it('gives different clients different delays', async () => {
    const schedules: number[][] = [];
    for (let i = 0; i < 3; i++) {
      const { client } = harness({ pollUrl: false, reconnect: { minDelay: 5000, maxDelay: 5000 } });
      schedules.push(await failedAttemptGaps(3));
      client.close();
    }
    const firstGaps = new Set(schedules.map((s) => s[0]));
    expect(firstGaps.size).toBeGreaterThan(1);
    expect(new Set(schedules[0]).size).toBeGreaterThan(1); // fresh draw per attempt, too
  });

  it('resets the attempt count only after the socket stayed up minUptime', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.999);
    const { client } = harness({ pollUrl: false, reconnect: { minDelay: 1000, maxDelay: 60_000, minUptime: 5000 } });
    await failedAttemptGaps(3); // the cap is now 8 s
    let socket = FakeWebSocket.latest();
    socket.accept();
    await vi.advanceTimersByTimeAsync(1000);
    let droppedAt = Date.now();
    socket.drop();
    socket = await nextSocket(120_000);
    expect(Date.now() - droppedAt).toBeGreaterThan(7000); // short uptime: still backing off
    socket.accept();
    await vi.advanceTimersByTimeAsync(5000);
    droppedAt = Date.now();
    socket.drop();
    await nextSocket();
    expect(Date.now() - droppedAt).toBeLessThanOrEqual(1010); // stayed up: back to the first step
    vi.restoreAllMocks();
    client.close();
  });

  it('gives up after maxRetries with a socket error, and keeps polling', async () => {
    const { client, errors } = harness({ reconnect: { maxRetries: 2, minDelay: 10, maxDelay: 10 } });
    await failedAttemptGaps(2);
    FakeWebSocket.latest().fail();
    await vi.advanceTimersByTimeAsync(1000);
    expect(FakeWebSocket.all).toHaveLength(3);
    expect(errors.filter((e) => e.kind === 'socket')).toMatchObject([{ message: expect.stringMatching(/gave up after 3 attempts/) }]);
    expect(client.state).toBe('polling');
    client.close();
  });
});

describe('close codes', () => {
  it.each([1008, 4401, 4403])('stops reconnecting after close code %i, reports auth, and keeps polling', async (code) => {
    const { client, errors } = harness();
    const socket = await nextSocket();
    socket.accept();
    socket.drop(code);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(FakeWebSocket.all).toHaveLength(1);
    expect(errors.filter((e) => e.kind === 'auth')).toMatchObject([{ message: expect.stringContaining(`code ${code}`) }]);
    expect(client.state).toBe('polling');
    client.close();
  });

  it('leaves the client idle after a fatal code when polling is off, until reconnect()', async () => {
    const { client, states } = harness({ pollUrl: false });
    const socket = await nextSocket();
    socket.accept();
    socket.drop(4401);
    expect(client.state).toBe('idle');
    expect(states).toEqual(['live', 'idle']);
    await settle();
    expect(vi.getTimerCount()).toBe(0);
    client.reconnect();
    (await nextSocket()).accept();
    expect(states).toEqual(['live', 'idle', 'connecting', 'live']);
    client.close();
  });

  it.each([1000, 1001, 1006, 1011, 1012, 4000, 4500])('reconnects after close code %i', async (code) => {
    const { client } = harness();
    const socket = await nextSocket();
    socket.accept();
    socket.drop(code);
    await nextSocket();
    expect(FakeWebSocket.all).toHaveLength(2);
    client.close();
  });
});

describe('a silent socket', () => {
  it('is checked by a reconcile poll after staleAfter, and restarted when the poll finds missed changes', async () => {
    const { client, http, states } = harness({ staleAfter: 45_000 });
    const socket = await nextSocket();
    socket.accept();
    await settle();
    await vi.advanceTimersByTimeAsync(30_000);
    socket.receive(frame(task())); // traffic pushes the check back
    await vi.advanceTimersByTimeAsync(44_000);
    expect(http.calls).toHaveLength(1);
    http.answerNext(json([task({ status: 'success', finished_at: '2026-11-25T17:40:00' })]));
    await vi.advanceTimersByTimeAsync(2_000);
    expect(http.calls.length).toBeGreaterThanOrEqual(2); // the check, then polling while it reconnects
    expect(socket.readyState).toBe(3);
    expect(states).toContain('polling');
    (await nextSocket()).accept();
    expect(client.state).toBe('live');
    client.close();
  });

  it('is kept when the reconcile poll finds nothing new', async () => {
    const { client, http } = harness({ staleAfter: 45_000 });
    const socket = await nextSocket();
    socket.accept();
    await vi.advanceTimersByTimeAsync(100_000);
    expect(http.calls.length).toBe(3); // on open, at 45 s, at 90 s
    expect(socket.readyState).toBe(1);
    expect(FakeWebSocket.all).toHaveLength(1);
    client.close();
  });
});

describe('close()', () => {
  it('leaves no timer, socket or callback, and reports closed once', async () => {
    const { client, events, states } = harness();
    const socket = await nextSocket();
    socket.accept();
    await settle();
    client.close();
    client.close();
    expect(socket.readyState).toBe(3);
    expect(states).toEqual(['live', 'closed']);
    expect(vi.getTimerCount()).toBe(0);
    socket.receive(frame(task()));
    expect(events).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(FakeWebSocket.all).toHaveLength(1);
  });

  it('cancels a pending reconnect', async () => {
    const { client } = harness({ reconnect: { minDelay: 10_000, maxDelay: 10_000 } });
    const socket = await nextSocket();
    socket.fail();
    await settle();
    client.close();
    await settle();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeWebSocket.all).toHaveLength(1);
  });

  it('closes a connect in flight', async () => {
    const { client, http } = harness();
    const socket = await nextSocket();
    client.close();
    expect(socket.closedWith).toBe(1000);
    await settle();
    expect(vi.getTimerCount()).toBe(0);
    expect(http.calls).toHaveLength(0);
  });

  it('aborts a poll in flight without reporting it', async () => {
    const { client, http, errors } = harness();
    http.answerNext((call) => new Promise((_, reject) => call.signal?.addEventListener('abort', () => reject(new Error('aborted')))));
    (await nextSocket()).drop();
    await settle();
    client.close();
    await settle();
    expect(http.calls[0].signal?.aborted).toBe(true);
    expect(errors).toHaveLength(0);
  });

  it('never lets a leftover connect timer close a healthy socket', async () => {
    const { client } = harness({ reconnect: { connectTimeout: 1000 } });
    let socket = await nextSocket();
    socket.fail();
    socket = await nextSocket();
    socket.accept();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(socket.readyState).toBe(1);
    expect(socket.closedWith).toBeUndefined();
    expect(client.state).toBe('live');
    expect(FakeWebSocket.all).toHaveLength(2);
    client.close();
  });
});
